//! The env file the local tools read (`infra/local.env`): `KEY=VALUE` lines, `#` comments
//! and blank lines ignored, the process environment winning over the file. One reader for
//! the local runner and `feedbackctl`, so a value means the same to both (the Google push
//! audience `feedbackctl sign` signs for is the one the runner checks).
//!
//! - `${NAME:-default}` in a value is `NAME` from the environment (else the file, else
//!   `default`): the file's URLs follow `LOCAL_PORT`, `LOCAL_SANDBOX_PORT` and
//!   `DYNAMODB_LOCAL_PORT` when the default ports are taken.
//! - Relative paths of `*_FILE` variables are relative to the repository (the env file's
//!   folder's parent), wherever the tool is started from.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct LocalEnv {
    file: Arc<HashMap<String, String>>,
    /// The file was not there (read as empty).
    pub missing: bool,
}

/// `text` with every `${NAME}` / `${NAME:-default}` replaced through `lookup`; an
/// unclosed `${` is kept as written.
fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        let (name, default) = inner.split_once(":-").unwrap_or((inner, ""));
        out.push_str(&lookup(name.trim()).unwrap_or_else(|| default.to_owned()));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

impl LocalEnv {
    /// The file at `path`; a missing file reads as empty.
    pub fn load(path: &Path) -> Result<Self, String> {
        Self::load_with(path, &|k| std::env::var(k).ok())
    }

    fn load_with(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let (text, missing) = match std::fs::read_to_string(path) {
            Ok(text) => (text, false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), true),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let root = canonical.parent().and_then(Path::parent);
        let raw: HashMap<String, String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let look = |k: &str| env(k).or_else(|| raw.get(k).filter(|v| !v.contains("${")).cloned());
        let file = raw
            .iter()
            .map(|(k, v)| {
                let v = expand(v, &look);
                match root {
                    Some(root) if k.ends_with("_FILE") && Path::new(&v).is_relative() => {
                        (k.clone(), root.join(&v).display().to_string())
                    }
                    _ => (k.clone(), v),
                }
            })
            .collect();
        Ok(Self {
            file: Arc::new(file),
            missing,
        })
    }

    /// A variable: the environment's, else the file's.
    pub fn get(&self, key: &str) -> Option<String> {
        std::env::var(key)
            .ok()
            .or_else(|| self.file.get(key).cloned())
    }

    /// [`Self::get`] as a closure the configuration readers take.
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let file = Arc::clone(&self.file);
        move |k| std::env::var(k).ok().or_else(|| file.get(k).cloned())
    }

    /// The file's own value (after expansion), whatever the environment says.
    pub fn file_value(&self, key: &str) -> Option<&str> {
        self.file.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_names_a_port_from_the_environment_else_its_default() {
        let dir = std::env::temp_dir().join(format!("local-env-{}", std::process::id()));
        let infra = dir.join("infra");
        std::fs::create_dir_all(&infra).unwrap_or_default();
        let file = infra.join("local.env");
        std::fs::write(
            &file,
            "# comment\n\nA=http://127.0.0.1:${LOCAL_SANDBOX_PORT:-3001}/google\n\
             B=${LOCAL_PORT:-3000}/${UNSET_HERE}x\n KEY_FILE = infra/k.pem \nC=${open\n",
        )
        .unwrap_or_default();
        let env = |k: &str| (k == "LOCAL_SANDBOX_PORT").then(|| "3101".to_owned());
        let vars = LocalEnv::load_with(&file, &env).unwrap_or_default();
        assert_eq!(vars.file_value("A"), Some("http://127.0.0.1:3101/google"));
        assert_eq!(vars.file_value("B"), Some("3000/x"));
        assert_eq!(vars.file_value("C"), Some("${open"));
        let key = vars.file_value("KEY_FILE").unwrap_or_default().to_owned();
        assert!(
            key.ends_with("infra/k.pem") && Path::new(&key).is_absolute(),
            "{key}"
        );
        assert!(!vars.missing);
        let none = LocalEnv::load_with(&dir.join("nope.env"), &env).unwrap_or_default();
        assert!(none.missing && none.file_value("A").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
