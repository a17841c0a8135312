//! One benchmark's part of `BENCHMARKS.md`, as JSON: every binary here (and
//! the browser benchmark, `tests/browser/bench/list_startup.mjs`) writes one
//! [`Section`] with `--json-out FILE`, and `cargo xtask bench` renders them
//! in order. Figures are already formatted (median and range) by the tool
//! that measured them; the raw samples ride along in `data` for anyone who
//! wants to recompute.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    /// The command that reproduces exactly this section.
    pub command: String,
    /// Paragraphs of method, printed before the tables.
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub tables: Vec<Table>,
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Raw measurements, free-form.
    #[serde(default)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Target {
    /// As the issue states it, e.g. "push→poke p99 < 100 ms at 1,000 clients".
    pub target: String,
    pub measured: String,
    pub met: bool,
}

impl Section {
    pub fn new(title: impl Into<String>, command: impl Into<String>) -> Section {
        Section {
            title: title.into(),
            command: command.into(),
            ..Section::default()
        }
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    pub fn target(&mut self, target: impl Into<String>, measured: impl Into<String>, met: bool) {
        self.targets.push(Target {
            target: target.into(),
            measured: measured.into(),
            met,
        });
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let json = serde_json::to_vec_pretty(self)?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))
    }

    pub fn read(path: &Path) -> Result<Section> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a benchmark section", path.display()))
    }

    /// Markdown: a heading, the notes, the tables, the targets, the command.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("## {}\n\n", self.title);
        for note in &self.notes {
            out.push_str(note);
            out.push_str("\n\n");
        }
        for table in &self.tables {
            if !table.caption.is_empty() {
                out.push_str(&format!("**{}**\n\n", table.caption));
            }
            out.push_str(&markdown_row(&table.columns));
            out.push_str(&markdown_row(
                &table
                    .columns
                    .iter()
                    .map(|_| "---".to_owned())
                    .collect::<Vec<_>>(),
            ));
            for row in &table.rows {
                out.push_str(&markdown_row(row));
            }
            out.push('\n');
        }
        if !self.targets.is_empty() {
            out.push_str("| Target | Measured | Met |\n|---|---|---|\n");
            for t in &self.targets {
                let met = if t.met { "yes" } else { "**no**" };
                out.push_str(&format!("| {} | {} | {met} |\n", t.target, t.measured));
            }
            out.push('\n');
        }
        out.push_str(&format!("Reproduce: `{}`\n\n", self.command));
        out
    }
}

fn markdown_row(cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
    format!("| {} |\n", cells.join(" | "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_tables_targets_and_command() {
        let mut s = Section::new("Relay load", "cargo run --bin relay_load");
        s.note("Loopback only.");
        s.tables.push(Table {
            caption: "Latency".into(),
            columns: vec!["clients".into(), "p99".into()],
            rows: vec![vec!["1,000".into(), "a|b".into()]],
        });
        s.target("p99 < 100 ms", "37 ms", true);
        s.target("≤ 32 KiB per connection", "40 KiB", false);
        let md = s.to_markdown();
        assert!(md.starts_with("## Relay load\n\nLoopback only.\n\n**Latency**"));
        assert!(md.contains("| clients | p99 |\n| --- | --- |\n| 1,000 | a\\|b |\n"));
        assert!(md.contains("| p99 < 100 ms | 37 ms | yes |"));
        assert!(md.contains("| ≤ 32 KiB per connection | 40 KiB | **no** |"));
        assert!(md.ends_with("Reproduce: `cargo run --bin relay_load`\n\n"));
        let back: Section = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back.to_markdown(), md);
    }
}
