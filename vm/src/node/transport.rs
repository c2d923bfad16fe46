//! The only QUIC code: TLS configurations from the PKI's PEM files, endpoints, and frames read
//! from and written to QUIC streams.
//!
//! Mutual TLS is mandatory: the node's verifier accepts only client certificates issued by its
//! CA, and clients accept only a node certificate issued by the same CA. Only TLS 1.3 with the
//! ring provider is used. Frames are read with the hard size limit checked on the length
//! prefix, before the body is read. This module does not interpret requests; the server does.

use super::pki::{Identity, Role, role_of};
use super::protocol::{ALPN, FrameError, HEADER_BYTES, PREFIX_BYTES, frame_len};
use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};
use quinn::{Connection, Endpoint, RecvStream, SendStream};
use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::sync::Arc;

/// Why an endpoint could not be set up or a frame could not be moved.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("bad PEM in {what}: {message}")]
    Pem { what: &'static str, message: String },
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("cannot open a QUIC endpoint on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("stream error: {0}")]
    Stream(String),
    #[error("{0}")]
    Frame(#[from] FrameError),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(ca_pem: &str) -> Result<Arc<RootCertStore>, TransportError> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(|e| pem_error("the CA certificate", e))?;
        roots
            .add(cert)
            .map_err(|e| TransportError::Tls(e.to_string()))?;
    }
    Ok(Arc::new(roots))
}

fn pem_error(what: &'static str, e: impl std::fmt::Display) -> TransportError {
    TransportError::Pem {
        what,
        message: e.to_string(),
    }
}

fn chain(identity: &Identity) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    CertificateDer::pem_slice_iter(identity.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error("the certificate", e))
}

fn key(identity: &Identity) -> Result<PrivateKeyDer<'static>, TransportError> {
    PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).map_err(|e| pem_error("the key", e))
}

fn tls<E: std::fmt::Display>(e: E) -> TransportError {
    TransportError::Tls(e.to_string())
}

/// A node endpoint on `listen` that requires client certificates from the CA.
pub fn server_endpoint(
    listen: SocketAddr,
    ca_pem: &str,
    node: &Identity,
) -> Result<Endpoint, TransportError> {
    server_endpoint_with(listen, ca_pem, node, QUINN_STREAMS_DEFAULT)
}

/// quinn's default for concurrent bidirectional streams per connection.
const QUINN_STREAMS_DEFAULT: u32 = 100;

/// [`server_endpoint`] letting each connection open at most `streams` bidirectional streams at
/// once (a client that wants more waits for one to end).
pub fn server_endpoint_with(
    listen: SocketAddr,
    ca_pem: &str,
    node: &Identity,
    streams: u32,
) -> Result<Endpoint, TransportError> {
    let provider = provider();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        roots(ca_pem)?,
        provider.clone(),
    )
    .build()
    .map_err(tls)?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain(node)?, key(node)?)
        .map_err(tls)?;
    config.alpn_protocols = vec![ALPN.to_vec()];
    config.max_early_data_size = u32::MAX;
    let crypto = QuicServerConfig::try_from(config).map_err(tls)?;
    let mut server = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    let mut transport = quinn::TransportConfig::default();
    transport.max_concurrent_bidi_streams(streams.into());
    server.transport_config(Arc::new(transport));
    Endpoint::server(server, listen).map_err(|source| TransportError::Bind {
        addr: listen,
        source,
    })
}

/// A client endpoint that presents `identity` and trusts only nodes certified by the CA.
pub fn client_endpoint(ca_pem: &str, identity: &Identity) -> Result<Endpoint, TransportError> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls)?
        .with_root_certificates(roots(ca_pem)?)
        .with_client_auth_cert(chain(identity)?, key(identity)?)
        .map_err(tls)?;
    client_endpoint_with(config)
}

/// A client endpoint that presents no certificate (for showing that nodes refuse it).
pub fn anonymous_client_endpoint(ca_pem: &str) -> Result<Endpoint, TransportError> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls)?
        .with_root_certificates(roots(ca_pem)?)
        .with_no_client_auth();
    client_endpoint_with(config)
}

fn client_endpoint_with(mut config: rustls::ClientConfig) -> Result<Endpoint, TransportError> {
    config.alpn_protocols = vec![ALPN.to_vec()];
    let crypto = QuicClientConfig::try_from(config).map_err(tls)?;
    let any: SocketAddr = ([0, 0, 0, 0], 0).into();
    let mut endpoint =
        Endpoint::client(any).map_err(|source| TransportError::Bind { addr: any, source })?;
    endpoint.set_default_client_config(quinn::ClientConfig::new(Arc::new(crypto)));
    Ok(endpoint)
}

/// The DER bytes of the peer's verified leaf certificate.
pub fn peer_certificate(connection: &Connection) -> Option<Vec<u8>> {
    let identity = connection.peer_identity()?;
    let chain = identity.downcast::<Vec<CertificateDer<'static>>>().ok()?;
    Some(chain.first()?.to_vec())
}

/// The role in the peer's verified certificate.
pub fn peer_role(connection: &Connection) -> Option<Role> {
    let identity = connection.peer_identity()?;
    let chain = identity.downcast::<Vec<CertificateDer<'static>>>().ok()?;
    role_of(chain.first()?)
}

/// The contents (after the length prefix) of the next frame, or `None` at a clean end of the
/// stream between frames. The length is checked against `max` before the body is read.
pub async fn read_frame(
    recv: &mut RecvStream,
    max: usize,
) -> Result<Option<Vec<u8>>, TransportError> {
    let mut prefix = [0u8; PREFIX_BYTES];
    match recv.read_exact(&mut prefix).await {
        Ok(()) => {}
        Err(quinn::ReadExactError::FinishedEarly(0)) => return Ok(None),
        Err(e) => return Err(TransportError::Stream(e.to_string())),
    }
    let len = frame_len(prefix, max)?;
    let mut contents = vec![0u8; len];
    recv.read_exact(&mut contents)
        .await
        .map_err(|e| TransportError::Stream(e.to_string()))?;
    debug_assert!(contents.len() >= HEADER_BYTES);
    Ok(Some(contents))
}

/// Writes one whole frame.
pub async fn write_frame(send: &mut SendStream, frame: &[u8]) -> Result<(), TransportError> {
    send.write_all(frame)
        .await
        .map_err(|e| TransportError::Stream(e.to_string()))
}
