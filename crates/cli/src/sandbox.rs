//! `supportkit sandbox`: the emulator of every provider, with demo data, until
//! Ctrl-C. The same entry point as the `supportkit-sandbox` binary.

pub use supportkit_sandbox::serve::ServeArgs as SandboxArgs;

use crate::Error;

pub(crate) async fn run(args: SandboxArgs) -> Result<(), Error> {
    supportkit_sandbox::serve::serve(args)
        .await
        .map_err(Error::msg)
}
