//! The `supportkit` binary; everything lives in the `supportkit_cli` library.

fn main() -> std::process::ExitCode {
    supportkit_cli::main()
}
