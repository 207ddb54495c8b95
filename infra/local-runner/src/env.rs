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
        let file = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
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
