//! `cargo xtask test [CARGO TEST ARGS]...`: every test, on a fresh Debian or
//! Ubuntu machine with only the Rust toolchain.
//!
//! The suite starts real servers: `redis-server` (the shared store), the
//! PostgreSQL server binaries `initdb`, `pg_ctl` and `postgres` (the mirror),
//! and runs the README's `curl` lines. What is missing is installed from the
//! distribution's packages (`apt-get`, through `sudo` unless root), then
//! `cargo test --workspace` runs with the arguments given, with Debian's
//! PostgreSQL directory (`/usr/lib/postgresql/<version>/bin`, not on `PATH`)
//! put on `PATH`. `--no-install` only reports what is missing.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// A program the suite runs, and the Debian package it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    pub program: &'static str,
    pub package: &'static str,
    /// Why the suite needs it.
    pub why: &'static str,
}

/// Everything the suite starts by itself.
pub const NEEDS: &[Need] = &[
    Need {
        program: "redis-server",
        package: "redis-server",
        why: "the shared rate-limit store tests",
    },
    Need {
        program: "initdb",
        package: "postgresql",
        why: "the PostgreSQL mirror tests",
    },
    Need {
        program: "pg_ctl",
        package: "postgresql",
        why: "the PostgreSQL mirror tests",
    },
    Need {
        program: "postgres",
        package: "postgresql",
        why: "the PostgreSQL mirror tests",
    },
    Need {
        program: "curl",
        package: "curl",
        why: "the README's shell lines",
    },
];

/// Where Debian and Ubuntu put each PostgreSQL version's server binaries.
const POSTGRES_ROOT: &str = "/usr/lib/postgresql";

/// The first directory of `path` (a `PATH` value) holding an executable `program`.
pub fn find_in(path: &OsString, program: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The `bin` directory of the newest PostgreSQL under `root` holding every
/// server program (`/usr/lib/postgresql/15/bin`).
pub fn postgres_bin(root: &Path) -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            ["initdb", "pg_ctl", "postgres"]
                .iter()
                .all(|p| is_executable(&bin.join(p)))
                .then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// What is missing from `path`, once `extra` (PostgreSQL's directory) is on it.
pub fn missing(path: &OsString, extra: Option<&Path>) -> Vec<Need> {
    let mut dirs: Vec<PathBuf> = extra.map(Path::to_path_buf).into_iter().collect();
    dirs.extend(std::env::split_paths(path));
    let joined = std::env::join_paths(dirs).unwrap_or_else(|_| path.clone());
    NEEDS
        .iter()
        .copied()
        .filter(|need| find_in(&joined, need.program).is_none())
        .collect()
}

/// The packages that provide `needs`, each once, in order.
pub fn packages(needs: &[Need]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for need in needs {
        if !out.contains(&need.package) {
            out.push(need.package);
        }
    }
    out
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Runs `argv` (through `sudo` unless root), echoing it first.
fn run_privileged(path: &OsString, argv: &[&str]) -> Result<(), String> {
    let mut command = if is_root() {
        let mut c = Command::new(argv[0]);
        c.args(&argv[1..]);
        c
    } else {
        if find_in(path, "sudo").is_none() {
            return Err(format!(
                "this needs root and `sudo` is not installed: as root, run `{}`, then `cargo xtask test` again",
                argv.join(" ")
            ));
        }
        let mut c = Command::new("sudo");
        c.args(argv);
        c
    };
    let shown = if is_root() {
        argv.join(" ")
    } else {
        format!("sudo {}", argv.join(" "))
    };
    eprintln!("xtask test: {shown}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Installs the packages of `needs` with apt-get.
fn install(path: &OsString, needs: &[Need]) -> Result<(), String> {
    let packages = packages(needs);
    let programs: Vec<&str> = needs.iter().map(|n| n.program).collect();
    if find_in(path, "apt-get").is_none() {
        return Err(format!(
            "the tests need {} and this machine has no apt-get: install them with its package \
             manager (Debian's packages: {}), then run `cargo xtask test` again",
            programs.join(", "),
            packages.join(", ")
        ));
    }
    eprintln!(
        "xtask test: missing {}; installing {}",
        programs.join(", "),
        packages.join(" ")
    );
    run_privileged(path, &["apt-get", "update", "-qq"])?;
    let mut argv = vec![
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
    ];
    argv.extend(packages);
    run_privileged(path, &argv)
}

/// The arguments of `cargo test`: the whole workspace, reporting every
/// failing test binary rather than stopping at the first, unless the caller
/// picked packages.
pub fn cargo_test_args(extra: &[String]) -> Vec<String> {
    let picks = extra.iter().take_while(|a| *a != "--").any(|a| {
        a == "-p"
            || a.starts_with("--package")
            || a.starts_with("-p")
            || a.starts_with("--manifest-path")
            || a == "--workspace"
    });
    let mut args = vec!["test".to_owned()];
    if !picks {
        args.push("--workspace".to_owned());
        args.push("--no-fail-fast".to_owned());
    }
    args.extend(extra.iter().cloned());
    args
}

/// `cargo xtask test`.
pub fn run(root: &Path, install_missing: bool, extra: &[String]) -> ExitCode {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut pg = postgres_bin(Path::new(POSTGRES_ROOT));
    let needs = missing(&path, pg.as_deref());
    if !needs.is_empty() {
        if !install_missing {
            for need in &needs {
                eprintln!(
                    "xtask test: {} is missing (Debian package {}; {})",
                    need.program, need.package, need.why
                );
            }
            return ExitCode::FAILURE;
        }
        if let Err(e) = install(&path, &needs) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
        pg = postgres_bin(Path::new(POSTGRES_ROOT));
        let still = missing(&path, pg.as_deref());
        if !still.is_empty() {
            let programs: Vec<&str> = still.iter().map(|n| n.program).collect();
            eprintln!(
                "error: {} still not found after installing {} (looked on PATH and in {POSTGRES_ROOT}/*/bin)",
                programs.join(", "),
                packages(&still).join(" ")
            );
            return ExitCode::FAILURE;
        }
    }
    // Debian keeps PostgreSQL's server programs off PATH: the suite finds them there.
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(bin) = &pg
        && find_in(&path, "initdb").is_none()
    {
        eprintln!("xtask test: PostgreSQL from {}", bin.display());
        dirs.push(bin.clone());
    }
    dirs.extend(std::env::split_paths(&path));
    let path = std::env::join_paths(dirs).unwrap_or(path);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let args = cargo_test_args(extra);
    eprintln!("xtask test: cargo {}", args.join(" "));
    match Command::new(cargo)
        .args(&args)
        .current_dir(root)
        .env("PATH", path)
        .status()
    {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(status.code().map_or(1, |c| c.clamp(1, 255) as u8)),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executable(dir: &Path, name: &str) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir).unwrap();
        let file = dir.join(name);
        std::fs::write(&file, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn what_is_missing_is_found_on_path_and_in_debians_postgres_directory() {
        let dir = std::env::temp_dir().join(format!("xtask-provision-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let bin = dir.join("bin");
        executable(&bin, "redis-server");
        // A file that is not executable does not count.
        std::fs::write(bin.join("curl"), "").unwrap();
        let path = std::env::join_paths([&bin]).unwrap();
        let programs = |needs: Vec<Need>| needs.iter().map(|n| n.program).collect::<Vec<_>>();
        assert_eq!(
            programs(missing(&path, None)),
            ["initdb", "pg_ctl", "postgres", "curl"]
        );
        assert_eq!(packages(&missing(&path, None)), ["postgresql", "curl"]);
        // Two versions, one incomplete: the newest complete one wins.
        let root = dir.join("postgresql");
        for program in ["initdb", "pg_ctl", "postgres"] {
            executable(&root.join("15/bin"), program);
        }
        executable(&root.join("16/bin"), "initdb");
        let pg = postgres_bin(&root).unwrap();
        assert_eq!(pg, root.join("15/bin"));
        assert_eq!(programs(missing(&path, Some(&pg))), ["curl"]);
        assert_eq!(postgres_bin(&dir.join("nowhere")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cargo_test_runs_the_workspace_unless_packages_are_picked() {
        assert_eq!(
            cargo_test_args(&[]),
            ["test", "--workspace", "--no-fail-fast"]
        );
        assert_eq!(
            cargo_test_args(&["--locked".into()]),
            ["test", "--workspace", "--no-fail-fast", "--locked"]
        );
        assert_eq!(
            cargo_test_args(&["-p".into(), "supportkit-cli".into()]),
            ["test", "-p", "supportkit-cli"]
        );
        assert_eq!(
            cargo_test_args(&["--package=supportkit-cli".into()]),
            ["test", "--package=supportkit-cli"]
        );
        assert_eq!(
            cargo_test_args(&["--".into(), "-p".into()]),
            ["test", "--workspace", "--no-fail-fast", "--", "-p"]
        );
    }
}
