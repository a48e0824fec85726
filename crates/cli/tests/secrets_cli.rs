//! Secrets in the URLs users give the CLI (`--db`, `--redis`) never appear
//! in its output, on success or failure, whatever the URL's spelling.

mod common;

use common::{Harness, run};

/// A database or Redis URL can carry its password in more places than the
/// user info: a PostgreSQL `?password=`, a libpq `key=value` string, a
/// `redis+unix://...?pass=`. Found printed in clear by an outside attack;
/// none may appear in any output, on success or failure.
#[test]
fn no_form_of_a_database_or_redis_url_prints_its_password() {
    let h = Harness::start();
    let server = supportkit_tests::postgres::PostgresServer::start();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let db = h.path("secrets.db");
    let sync = |db_url: &str, extra: &[&str]| {
        let mut cmd = h.cmd();
        cmd.args(["sync", "--provider", "tomticket", "--resources", "agents"])
            .args(["--db", db_url])
            .args(extra);
        run(&mut cmd)
    };
    // Connects (the test server trusts loopback), so the success line names it.
    let url = server.create_db("secrets");
    let ok = sync(&format!("{url}?password=PWQUERY1"), &[]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.all().contains("password=***"), "{ok:?}");
    // A `/` in the password, unencoded: clients still read it as the password.
    let slash = sync(&url.replacen("postgres@", "postgres:pa/PWSLASH6@", 1), &[]);
    assert_eq!(slash.code, 0, "{slash:?}");
    let runs = [
        ok,
        slash,
        sync(
            &format!("postgres://pg@127.0.0.1:{dead}/m?password=PWQUERY2"),
            &[],
        ),
        sync(
            &format!("postgres:///m?host=127.0.0.1&port={dead}&password=PWQUERY3"),
            &[],
        ),
        sync("host=127.0.0.1 user=pg password='PWKV 4' dbname=m", &[]),
        sync("host=127.0.0.1 user=pg password = PWKV7 dbname=m", &[]),
        sync(
            &format!("postgres://pg@127.0.0.1:{dead}/m?pass%77ord=PWENC8"),
            &[],
        ),
        sync(
            &format!("sqlite:{db}"),
            &["--redis", "redis+unix:///nonexistent/r.sock?pass=PWSOCK5"],
        ),
    ];
    for (i, out) in runs.iter().enumerate() {
        let all = out.all();
        assert!(!all.contains("PW"), "run {i} printed a password: {out:?}");
        assert!(all.contains("***"), "run {i} says where, masked: {out:?}");
    }
}
