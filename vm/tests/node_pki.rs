//! The development PKI: files created once, roles carried in certificates and read back,
//! issued names checked.
#![cfg(feature = "node")]

use quiver_vm::node::pki::{Pki, PkiError, Role, role_of};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

fn role_in(cert_pem: &str) -> Option<Role> {
    let der = CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("a PEM certificate");
    role_of(&der)
}

#[test]
fn first_open_creates_the_ca_node_and_admin_files_and_later_opens_reuse_them() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (_, created) = Pki::open_or_create(dir.path()).expect("created");
    assert!(created);
    for file in [
        "ca.pem",
        "ca.key",
        "node.pem",
        "node.key",
        "admin.pem",
        "admin.key",
    ] {
        assert!(dir.path().join(file).exists(), "{file} missing");
    }
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).expect("ca.pem");
    let (again, created) = Pki::open_or_create(dir.path()).expect("reopened");
    assert!(!created);
    assert_eq!(again.ca_pem(), ca);
}

#[test]
fn issued_certificates_carry_their_role_and_the_node_certificate_none() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (pki, _) = Pki::open_or_create(dir.path()).expect("created");
    assert_eq!(
        role_in(&pki.issue(Role::Client, "c").expect("issued").cert_pem),
        Some(Role::Client)
    );
    assert_eq!(
        role_in(&pki.issue(Role::Admin, "a").expect("issued").cert_pem),
        Some(Role::Admin)
    );
    let admin = std::fs::read_to_string(dir.path().join("admin.pem")).expect("admin.pem");
    assert_eq!(role_in(&admin), Some(Role::Admin));
    assert_eq!(role_in(&pki.load_node().expect("node").cert_pem), None);
    assert_eq!(role_of(b"not a certificate"), None);
}

#[test]
fn issuing_to_files_refuses_reserved_bad_and_existing_names() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (pki, _) = Pki::open_or_create(dir.path()).expect("created");
    let (cert, key) = pki.issue_to_files(Role::Client, "alice").expect("issued");
    assert!(cert.ends_with("alice.pem") && key.ends_with("alice.key"));
    assert!(matches!(
        pki.issue_to_files(Role::Client, "alice"),
        Err(PkiError::Exists(_))
    ));
    for bad in ["ca", "node", "", "../x", "a b"] {
        assert!(
            matches!(
                pki.issue_to_files(Role::Admin, bad),
                Err(PkiError::BadName(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        "root".parse::<Role>(),
        Err(PkiError::UnknownRole(_))
    ));
}
