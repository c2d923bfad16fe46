//! The node's development PKI: a CA, the node's certificate and client certificates with roles.
//!
//! On first start [`Pki::open_or_create`] writes into the data dir a CA (`ca.pem`, `ca.key`),
//! the node's server certificate for `localhost` and `127.0.0.1` (`node.pem`, `node.key`) and an
//! admin client certificate (`admin.pem`, `admin.key`). [`Pki::issue`] mints more client
//! certificates. The [`Role`] travels inside the certificate as a subject alternative name URI
//! `quiver:role:client` or `quiver:role:admin`; the node reads it from the verified peer
//! certificate with [`role_of`]. Keys are written readable by their owner only.
//!
//! This is a development CA: no revocation, no expiry management, no passphrases. It does no
//! networking; [`super::transport`] turns these PEM files into TLS configurations.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a client certificate allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// May send inputs and inspect.
    Client,
    /// May also push (deploy, upgrade) and roll back.
    Admin,
}

const ROLE_URI_PREFIX: &str = "quiver:role:";

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = PkiError;

    fn from_str(text: &str) -> Result<Role, PkiError> {
        match text {
            "client" => Ok(Role::Client),
            "admin" => Ok(Role::Admin),
            other => Err(PkiError::UnknownRole(other.to_string())),
        }
    }
}

/// A certificate and its private key, both PEM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub cert_pem: String,
    pub key_pem: String,
}

/// What can go wrong with the PKI files.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("certificate generation failed: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("unknown role `{0}`; the roles are `client` and `admin`")]
    UnknownRole(String),
    #[error(
        "`{0}` is not a usable certificate name; use letters, digits, `-` and `_`, and not \
         `ca` or `node`"
    )]
    BadName(String),
    #[error("`{}` already exists; pick another name or delete it first", .0.display())]
    Exists(PathBuf),
}

/// The CA of one data dir.
pub struct Pki {
    dir: PathBuf,
    ca: Issuer<'static, KeyPair>,
    ca_pem: String,
}

/// Where the files of a data dir are.
pub struct Paths;

impl Paths {
    pub fn ca(dir: &Path) -> PathBuf {
        dir.join("ca.pem")
    }

    /// The certificate and key of a named identity (`node`, `admin` or an issued name).
    pub fn identity(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}.key")),
        )
    }
}

impl Pki {
    /// Opens the PKI in `dir`, creating the CA, node and admin certificates when there is no
    /// CA yet. The flag says whether they were just created.
    pub fn open_or_create(dir: &Path) -> Result<(Pki, bool), PkiError> {
        if Paths::ca(dir).exists() {
            return Ok((Pki::open(dir)?, false));
        }
        fs::create_dir_all(dir).map_err(io("create", dir))?;
        let key = KeyPair::generate()?;
        let ca_pem = ca_params().self_signed(&key)?.pem();
        write_file(&dir.join("ca.key"), &key.serialize_pem(), true)?;
        write_file(&Paths::ca(dir), &ca_pem, false)?;
        let pki = Pki {
            dir: dir.to_path_buf(),
            ca: Issuer::new(ca_params(), key),
            ca_pem,
        };
        let node = pki.node_identity()?;
        pki.save("node", &node)?;
        let admin = pki.issue(Role::Admin, "admin")?;
        pki.save("admin", &admin)?;
        Ok((pki, true))
    }

    /// Opens an existing PKI.
    pub fn open(dir: &Path) -> Result<Pki, PkiError> {
        let ca_pem = read_file(&Paths::ca(dir))?;
        let key = KeyPair::from_pem(&read_file(&dir.join("ca.key"))?)?;
        Ok(Pki {
            dir: dir.to_path_buf(),
            ca: Issuer::from_ca_cert_pem(&ca_pem, key)?,
            ca_pem,
        })
    }

    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The node's own certificate and key, as written on first start.
    pub fn load_node(&self) -> Result<Identity, PkiError> {
        load_identity(&self.dir, "node")
    }

    /// A new client certificate for `name` with `role`, signed by the CA (not written).
    pub fn issue(&self, role: Role, name: &str) -> Result<Identity, PkiError> {
        let mut params = leaf_params(name, Vec::new(), ExtendedKeyUsagePurpose::ClientAuth)?;
        let uri = format!("{ROLE_URI_PREFIX}{role}");
        params.subject_alt_names.push(SanType::URI(uri.try_into()?));
        self.sign(params)
    }

    /// Mints a client certificate and writes it as `NAME.pem` and `NAME.key` in the data dir,
    /// refusing to overwrite; returns the two paths.
    pub fn issue_to_files(&self, role: Role, name: &str) -> Result<(PathBuf, PathBuf), PkiError> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && name != "ca"
            && name != "node";
        if !valid {
            return Err(PkiError::BadName(name.to_string()));
        }
        let (cert, key) = Paths::identity(&self.dir, name);
        if cert.exists() || key.exists() {
            return Err(PkiError::Exists(cert));
        }
        self.save(name, &self.issue(role, name)?)?;
        Ok((cert, key))
    }

    fn node_identity(&self) -> Result<Identity, PkiError> {
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        self.sign(leaf_params(
            "quiver node",
            names,
            ExtendedKeyUsagePurpose::ServerAuth,
        )?)
    }

    fn sign(&self, params: CertificateParams) -> Result<Identity, PkiError> {
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.ca)?;
        Ok(Identity {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    fn save(&self, name: &str, identity: &Identity) -> Result<(), PkiError> {
        let (cert, key) = Paths::identity(&self.dir, name);
        write_file(&key, &identity.key_pem, true)?;
        write_file(&cert, &identity.cert_pem, false)
    }
}

/// Reads `NAME.pem` and `NAME.key` from `dir`.
pub fn load_identity(dir: &Path, name: &str) -> Result<Identity, PkiError> {
    let (cert, key) = Paths::identity(dir, name);
    Ok(Identity {
        cert_pem: read_file(&cert)?,
        key_pem: read_file(&key)?,
    })
}

/// The role a (verified) client certificate carries, if it carries exactly one.
pub fn role_of(cert_der: &[u8]) -> Option<Role> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).ok()?;
    let names = cert.subject_alternative_name().ok()??;
    let mut roles = names
        .value
        .general_names
        .iter()
        .filter_map(|name| match name {
            x509_parser::extensions::GeneralName::URI(uri) => uri.strip_prefix(ROLE_URI_PREFIX),
            _ => None,
        });
    let role = roles.next()?.parse().ok()?;
    roles.next().is_none().then_some(role)
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "quiver development CA");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    params
}

fn leaf_params(
    common_name: &str,
    dns_names: Vec<String>,
    usage: ExtendedKeyUsagePurpose,
) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::new(dns_names)?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    params.distinguished_name = name;
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![usage];
    Ok(params)
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> PkiError {
    let path = path.to_path_buf();
    move |source| PkiError::Io {
        action,
        path,
        source,
    }
}

fn read_file(path: &Path) -> Result<String, PkiError> {
    fs::read_to_string(path).map_err(io("read", path))
}

/// Writes a file; `private` files are readable by their owner only (on unix).
fn write_file(path: &Path, contents: &str, private: bool) -> Result<(), PkiError> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(io("create", path))?;
    file.write_all(contents.as_bytes())
        .map_err(io("write", path))
}
