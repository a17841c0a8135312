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
        return match list_entries(&config.data_dir, &mut stdout.lock()) {
            // `list-entries | head` closing the pipe early is not an error.
            Err(server::ServerError::Storage(server::log_store::StoreError::Output(e)))
                if e.kind() == std::io::ErrorKind::BrokenPipe =>
            {
                Ok(())
            }
            other => Ok(other?),
        };
    }

    if let Some(Command::SetupCode) = config.command {
        // Only the code on stdout, so scripts can read it as it is.
        let code = server::setup_code::issue_in(&config.data_dir)?;
        writeln!(std::io::stdout(), "{code}").context("writing to stdout")?;
        return Ok(());
    }

    if let Some(Command::Backup { to }) = &config.command {
        let report = server::backup(&config.data_dir, to)?;
        writeln!(std::io::stdout(), "{report}").context("writing to stdout")?;
        return Ok(());
    }

    tracing::info!(?config, "starting");
    let listener = server::bind(&config.bind).await?;
    // The one line on stdout, once the store is open and a first start's
    // setup code issued: `cargo xtask run` and tests wait for it to learn
    // the port and to know they can run `setup-code`. Everything else goes
    // to stderr.
    server::run_then(config, listener, shutdown_signal(), |addr| {
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "listening on http://{addr}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            tracing::warn!("could not write the listening line to stdout");
        }
    })
    .await?;
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
