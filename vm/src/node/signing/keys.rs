//! Signing keys on disk: the key pair `quiver keys generate` writes, reading a secret key to
//! sign with, and the set of public keys a node trusts (`--trusted-keys DIR`).
//!
//! The file format is text, two lines, documented in `spec/security.md`:
//!
//! ```text
//! quiver ed25519 secret key v1          quiver ed25519 public key v1
//! <64 hex digits: the 32-byte seed>     <64 hex digits: the 32-byte public key>
//! ```
//!
//! Blank lines and surrounding whitespace are ignored. This module never writes files (the CLI
//! does, with owner-only permissions for the secret key) and decides nothing about requests.

use ed25519_dalek::{SigningKey, VerifyingKey};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The first line of a secret key file.
pub const SECRET_HEADER: &str = "quiver ed25519 secret key v1";

/// The first line of a public key file.
pub const PUBLIC_HEADER: &str = "quiver ed25519 public key v1";

/// Why a key could not be made, read or trusted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read `{path}`: {detail}")]
    Read { path: String, detail: String },
    #[error(
        "`{path}` is not a quiver {kind} key: {detail}; `quiver keys generate NAME` writes one"
    )]
    Format {
        path: String,
        kind: &'static str,
        detail: String,
    },
    #[error(
        "`{0}` holds no .pub file; copy the public keys to trust there (`quiver keys generate NAME` writes NAME.pub)"
    )]
    NoKeys(String),
    #[error("the operating system gave no randomness for a new key: {0}")]
    Random(String),
}

/// A public key, as trusted by a node and named in refusals by its fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The first 16 hex digits of the key: enough to tell keys apart in messages.
    pub fn fingerprint(&self) -> String {
        let mut hex = hex(&self.0);
        hex.truncate(16);
        hex
    }

    /// The text of a `.pub` file.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_HEADER}\n{}\n", hex(&self.0))
    }

    /// A `.pub` file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<PublicKey, KeyError> {
        let bytes = parse_key_text(text, PUBLIC_HEADER, path, "public")?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Format {
            path: path.to_string(),
            kind: "public",
            detail: "the 32 bytes are not an ed25519 public key".into(),
        })?;
        Ok(PublicKey(bytes))
    }

    pub fn read(path: &Path) -> Result<PublicKey, KeyError> {
        PublicKey::parse(&read_text(path)?, &path.display().to_string())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

/// A secret signing key.
pub struct KeyPair {
    signing: SigningKey,
}

impl KeyPair {
    /// A new key from the operating system's randomness.
    pub fn generate() -> Result<KeyPair, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(KeyPair::from_seed(seed))
    }

    /// The key with this 32-byte seed (tests use fixed seeds).
    pub fn from_seed(seed: [u8; 32]) -> KeyPair {
        KeyPair {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key().to_bytes())
    }

    /// The text of a `.key` file.
    pub fn secret_text(&self) -> String {
        format!("{SECRET_HEADER}\n{}\n", hex(&self.signing.to_bytes()))
    }

    /// A `.key` file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<KeyPair, KeyError> {
        let seed = parse_key_text(text, SECRET_HEADER, path, "secret")?;
        Ok(KeyPair::from_seed(seed))
    }

    pub fn read(path: &Path) -> Result<KeyPair, KeyError> {
        KeyPair::parse(&read_text(path)?, &path.display().to_string())
    }
}

/// The public keys a node accepts signatures from, each with the file it came from.
#[derive(Clone, Debug, Default)]
pub struct TrustedKeys {
    keys: BTreeMap<PublicKey, String>,
    dir: PathBuf,
}

impl TrustedKeys {
    /// Every `.pub` file in `dir` (not its subdirectories); an unreadable or malformed one is
    /// an error, and so is a dir with none (a node trusting nothing could never be changed).
    pub fn load(dir: &Path) -> Result<TrustedKeys, KeyError> {
        let unreadable = |e: std::io::Error| KeyError::Read {
            path: dir.display().to_string(),
            detail: e.to_string(),
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(unreadable)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(unreadable)?;
        paths.retain(|path| path.extension().is_some_and(|ext| ext == "pub") && path.is_file());
        paths.sort();
        let mut trusted = TrustedKeys {
            keys: BTreeMap::new(),
            dir: dir.to_path_buf(),
        };
        for path in paths {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            trusted.keys.insert(PublicKey::read(&path)?, name);
        }
        if trusted.keys.is_empty() {
            return Err(KeyError::NoKeys(dir.display().to_string()));
        }
        Ok(trusted)
    }

    /// A set built from keys in memory (tests); `names` label them.
    pub fn from_keys(keys: impl IntoIterator<Item = (PublicKey, String)>) -> TrustedKeys {
        TrustedKeys {
            keys: keys.into_iter().collect(),
            dir: PathBuf::new(),
        }
    }

    /// The file the key came from, when it is trusted.
    pub fn name_of(&self, key: &PublicKey) -> Option<&str> {
        self.keys.get(key).map(String::as_str)
    }

    /// The names of the trusted key files, in order.
    pub fn names(&self) -> Vec<&str> {
        self.keys.values().map(String::as_str).collect()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn read_text(path: &Path) -> Result<String, KeyError> {
    std::fs::read_to_string(path).map_err(|e| KeyError::Read {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}

/// The 32 bytes of a two-line key file with the given header.
fn parse_key_text(
    text: &str,
    header: &str,
    path: &str,
    kind: &'static str,
) -> Result<[u8; 32], KeyError> {
    let format = |detail: &str| KeyError::Format {
        path: path.to_string(),
        kind,
        detail: detail.to_string(),
    };
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    if lines.next() != Some(header) {
        return Err(format(&format!("the first line must be `{header}`")));
    }
    let digits = lines
        .next()
        .ok_or_else(|| format("the key line is missing"))?;
    if lines.next().is_some() {
        return Err(format("there is more than a header and a key line"));
    }
    unhex(digits).ok_or_else(|| format("the key line must be 64 hex digits"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_key_reads_back_from_its_text() {
        let key = KeyPair::from_seed([7; 32]);
        let read = KeyPair::parse(&key.secret_text(), "k.key").expect("parses");
        assert_eq!(read.public(), key.public());
        assert!(key.secret_text().starts_with(SECRET_HEADER));
    }

    #[test]
    fn a_public_key_reads_back_from_its_text() {
        let public = KeyPair::from_seed([7; 32]).public();
        assert_eq!(PublicKey::parse(&public.to_text(), "k.pub"), Ok(public));
    }

    #[test]
    fn a_public_key_file_is_not_a_secret_key_and_the_other_way_round() {
        let key = KeyPair::from_seed([7; 32]);
        assert!(KeyPair::parse(&key.public().to_text(), "k.pub").is_err());
        assert!(PublicKey::parse(&key.secret_text(), "k.key").is_err());
    }

    #[test]
    fn malformed_key_lines_are_refused_with_the_file_named() {
        for text in [
            "",
            PUBLIC_HEADER,
            &format!("{PUBLIC_HEADER}\nabc"),
            &format!("{PUBLIC_HEADER}\n{}", "zz".repeat(32)),
            &format!("{PUBLIC_HEADER}\n{}\nextra", "00".repeat(32)),
            &format!("{PUBLIC_HEADER}\n{}", "é".repeat(32)),
        ] {
            let error = PublicKey::parse(text, "bad.pub").expect_err("refused");
            assert!(error.to_string().contains("bad.pub"), "{error}");
        }
    }

    #[test]
    fn two_generated_keys_differ() {
        let a = KeyPair::generate().expect("randomness");
        let b = KeyPair::generate().expect("randomness");
        assert_ne!(a.public(), b.public());
    }

    #[test]
    fn trusted_keys_are_the_pub_files_of_the_dir() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let alice = KeyPair::from_seed([1; 32]);
        let bob = KeyPair::from_seed([2; 32]);
        std::fs::write(dir.path().join("alice.pub"), alice.public().to_text()).expect("written");
        std::fs::write(dir.path().join("bob.key"), bob.secret_text()).expect("written");
        std::fs::write(dir.path().join("notes.txt"), "hello").expect("written");
        let trusted = TrustedKeys::load(dir.path()).expect("loads");
        assert_eq!(trusted.len(), 1);
        assert_eq!(trusted.name_of(&alice.public()), Some("alice.pub"));
        assert_eq!(trusted.name_of(&bob.public()), None);
    }

    #[test]
    fn a_dir_without_pub_files_is_refused() {
        let dir = tempfile::tempdir().expect("a temp dir");
        assert!(matches!(
            TrustedKeys::load(dir.path()),
            Err(KeyError::NoKeys(_))
        ));
    }

    #[test]
    fn a_malformed_pub_file_stops_loading() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::write(dir.path().join("bad.pub"), "nonsense").expect("written");
        assert!(matches!(
            TrustedKeys::load(dir.path()),
            Err(KeyError::Format { .. })
        ));
    }
}
