//! The `homeward-server` binary: configuration, logging, signals. The relay
//! itself lives in the library so tests can run it in-process.

use std::io::Write;

use anyhow::Context;
use clap::Parser;
use server::config::{Command, LogFormat};
use server::{Config, list_entries};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    init_tracing(config.log_format);

    if let Some(Command::ListEntries) = config.command {
        let stdout = std::io::stdout();
        list_entries(&config.data_dir, &mut stdout.lock())?;
        return Ok(());
    }

    tracing::info!(?config, "starting");
    let listener = server::bind(&config.bind).await?;
    let addr = listener.local_addr().context("reading the bound address")?;
    // The one line on stdout: `cargo xtask run` and tests wait for it to
    // learn the port. Everything else goes to stderr.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{addr}").context("writing to stdout")?;
    stdout.flush().context("writing to stdout")?;
    drop(stdout);

    server::run(config, listener, shutdown_signal()).await?;
    Ok(())
}

/// Logs go to stderr; `RUST_LOG` overrides the default level. Nothing logged
/// anywhere in the relay may contain entry bodies or case data.
fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
