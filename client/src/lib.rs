//! The Homeward progressive web app: Leptos pages over a device loop that
//! owns IndexedDB, the sync engine and the WebSocket to the relay.

pub mod app;
pub mod app_state;
pub mod browser;
pub mod browser_rng;
pub mod case_detail;
pub mod case_form;
pub mod case_list;
pub mod device_loop;
pub mod i18n;
pub mod labels;
pub mod release_list;
pub mod route;
pub mod service_worker;
pub mod settings;
pub mod settings_page;
pub mod socket;
pub mod storage;
pub mod storage_health;
pub mod sync_panel;
pub mod vault_screens;

/// Entry point of the app in the page.
pub fn start() {
    console_error_panic_hook::set_once();
    init_tracing();
    service_worker::register();
    leptos::mount::mount_to_body(app::App);
}

fn init_tracing() {
    use tracing_subscriber::prelude::*;
    let console = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .without_time()
        .with_writer(tracing_web::MakeWebConsoleWriter::new())
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    // A second call (tests) finds a subscriber already set; that is fine.
    let _ = tracing_subscriber::registry().with(console).try_init();
}
