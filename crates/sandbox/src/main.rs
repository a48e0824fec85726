//! `supportkit-sandbox`: the provider emulator as a process, with demo data.
//! The same as `supportkit sandbox` (both run [`supportkit_sandbox::serve`]).

use clap::Parser;
use supportkit_sandbox::serve::{ServeArgs, serve};

/// A local emulator of ChatAPI v2, TomTicket v2.0 and tawk.to v1, with demo data.
#[derive(Debug, Parser)]
#[command(name = "supportkit-sandbox", version, about)]
struct Cli {
    #[command(flatten)]
    args: ServeArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match serve(Cli::parse().args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
