//! Running external commands: each one prints what it runs (`$ …`) first,
//! so a log shows exactly what to re-run by hand.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::Ctx;

/// An external command, run from the workspace root with the extended `PATH`.
#[derive(Debug)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    /// Variables set for this command (shown in the printed line).
    envs: Vec<(OsString, OsString)>,
    dir: PathBuf,
    root: PathBuf,
    path: OsString,
}

impl Cmd {
    pub fn new(ctx: &Ctx, program: impl AsRef<OsStr>) -> Cmd {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            envs: Vec::new(),
            dir: ctx.root.clone(),
            root: ctx.root.clone(),
            path: ctx.path.clone(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.dir = dir.as_ref().to_owned();
        self
    }

    /// The command line as a shell would take it.
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.dir != self.root {
            let dir = self.dir.strip_prefix(&self.root).unwrap_or(&self.dir);
            parts.push(format!("(cd {} &&", quote(dir.as_os_str())));
        }
        for (k, v) in &self.envs {
            parts.push(format!("{}={}", k.to_string_lossy(), quote(v)));
        }
        parts.push(quote(&self.program));
        parts.extend(self.args.iter().map(|a| quote(a)));
        let mut line = parts.join(" ");
        if self.dir != self.root {
            line.push(')');
        }
        line
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(&self.dir)
            .env("PATH", &self.path);
        for (k, v) in &self.envs {
            command.env(k, v);
        }
        command
    }

    /// Prints the command, runs it with inherited stdio, fails unless it exits 0.
    pub fn run(&self) -> Result<()> {
        println!("$ {}", self.display());
        let status = self
            .command()
            .status()
            .with_context(|| format!("could not start `{}`", self.program.to_string_lossy()))?;
        if !status.success() {
            bail!("`{}` failed ({status})", self.display());
        }
        Ok(())
    }

    /// Prints the command and starts it with stdout piped, stderr inherited.
    pub fn spawn_piped_stdout(&self) -> Result<Child> {
        println!("$ {}", self.display());
        self.command()
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("could not start `{}`", self.program.to_string_lossy()))
    }

    /// Prints the command, runs it with stderr inherited, fails unless it
    /// exits 0, and returns its stdout trimmed.
    pub fn output(&self) -> Result<String> {
        println!("$ {}", self.display());
        let out = self
            .command()
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("could not start `{}`", self.program.to_string_lossy()))?;
        if !out.status.success() {
            bail!("`{}` failed ({})", self.display(), out.status);
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Runs a read-only query (a version check, a listing) quietly and returns
    /// its stdout, or `None` if it cannot start or exits non-zero. Queries are
    /// not printed: the step that asked prints one line with what it found.
    pub fn query(&self) -> Option<String> {
        let out = self.command().stderr(Stdio::null()).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,%".contains(c));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
