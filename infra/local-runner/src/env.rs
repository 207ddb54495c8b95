//! Variables: the process environment first, then an env file (`KEY=VALUE` lines).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Vars {
    file: Arc<HashMap<String, String>>,
}

impl Vars {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        // Relative paths of `*_FILE` variables are relative to the repository (the env
        // file's folder's parent), wherever the runner is started from.
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let root = canonical
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        let file = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| {
                let (k, v) = (k.trim().to_owned(), v.trim().to_owned());
                match &root {
                    Some(root) if k.ends_with("_FILE") && Path::new(&v).is_relative() => {
                        let v = root.join(&v).display().to_string();
                        (k, v)
                    }
                    _ => (k, v),
                }
            })
            .collect();
        Ok(Self {
            file: Arc::new(file),
        })
    }

    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let file = Arc::clone(&self.file);
        move |k| std::env::var(k).ok().or_else(|| file.get(k).cloned())
    }
}
