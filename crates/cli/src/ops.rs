//! `supportkit <provider> <operation> [flags]`: any operation of any
//! provider, with flags derived at run time from the generated operation
//! metadata ([`ProviderMeta::operations`](supportkit_runtime::meta::ProviderMeta::operations) and their [`ParamMeta`]s), and the
//! request built generically and sent through the provider client's
//! transport (auth, rate limits, retries, envelopes).
//!
//! How a parameter becomes a flag:
//!
//! - its wire name in kebab-case (`firstName` → `--first-name`, `customer_id`
//!   → `--customer-id`), with the wire name itself as a hidden alias
//!   (`--firstName`); a name taken by the CLI's own flags gets a `param-` prefix;
//! - its value is parsed per [`ParamKind`]: integer, number, boolean
//!   (`--flag`, `--flag false`), JSON (a JSON string) or string;
//! - required as the spec says, except that a required body field may come
//!   from `--body` or from the spec's `default` (sent explicitly when neither
//!   a flag nor `--body` gives it), and a required parameter named like a provider option
//!   (`property_id`, `department_id`) defaults to that option;
//! - help: the first sentence of the spec's description, under a heading per
//!   location; a string enum's values are listed (and checked by clap), a
//!   JSON flag shows an example of its shape.
//!
//! Every operation with a body also takes `--body JSON` (the whole JSON body,
//! or the multipart text fields as an object; field flags are merged into
//! it), and multipart operations take `--attachment PATH` (repeatable, parts
//! `attachment[i]`, the spec's file limits checked before sending) and
//! `--custom-field KEY=VALUE` (repeatable, parts `custom_field[KEY]`) where
//! the spec's `x-supportkit-multipart` says they accept files or a map.

use std::collections::HashSet;
use std::path::PathBuf;

use clap::builder::{BoolishValueParser, PossibleValuesParser};
use clap::{Arg, ArgAction, ArgMatches, Command};
use heck::{ToKebabCase, ToShoutySnakeCase, ToSnakeCase};
use progenitor_client::ClientInfo;
use serde_json::Value;
use supportkit::Provider;
use supportkit_runtime::Transport;
use supportkit_runtime::dynamic::{self, Call, Endpoint};
use supportkit_runtime::meta::{
    BodyKind, Location, OperationMeta, ParamKind, ParamMeta, Rule, Seg,
};
use supportkit_runtime::multipart::Attachment;

use crate::Error;
use crate::config::{Settings, kit};

/// A provider the CLI can call: its kit (names, generated metadata).
pub type ProviderSpec = supportkit::providers::Kit;

/// Every provider, in the order `--help` lists them: the facade's registry.
pub use supportkit::providers::KITS as PROVIDERS;

/// The provider named `name` (`chatapi`, `tomticket`, `tawk`).
pub fn provider(name: &str) -> Option<&'static ProviderSpec> {
    PROVIDERS
        .iter()
        .copied()
        .find(|p| p.provider.as_str() == name)
}

const BODY: &str = "sk-body";
const ATTACHMENT: &str = "sk-attachment";
const CUSTOM_FIELD: &str = "sk-custom-field";
/// Long names the CLI uses itself; a parameter with one of these names gets a `param-` prefix.
const RESERVED: &[&str] = &[
    "body",
    "attachment",
    "custom-field",
    "config",
    "redis",
    "on-store-failure",
    "verbose",
    "help",
    "version",
];

/// The subcommand of one provider: one sub-subcommand per operation.
pub fn provider_command(spec: &'static ProviderSpec) -> Command {
    let mut cmd = Command::new(spec.provider.as_str())
        .about(format!(
            "Call any of the {} {} operations (`supportkit {} <operation> --help`)",
            spec.meta.operations.len(),
            spec.api,
            spec.provider,
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand_value_name("OPERATION")
        .subcommand_help_heading("Operations")
        .after_help(footer(spec));
    for op in spec.meta.operations {
        cmd = cmd.subcommand(operation_command(spec, op));
    }
    cmd
}

/// The provider subcommand's footer: how operations are named, shown with one
/// of this provider's own operations.
fn footer(spec: &ProviderSpec) -> String {
    let ops = spec.meta.operations;
    // A list operation with a two-word id shows both spellings apart.
    let sample = ops
        .iter()
        .find(|o| o.paginated && o.id.contains('_'))
        .or_else(|| ops.iter().find(|o| o.id.contains('_')))
        .or_else(|| ops.first());
    let names = match sample {
        Some(op) => format!(
            "Operation names: kebab-case ({}) or snake_case ({}){}.",
            op.id.to_kebab_case(),
            op.id,
            rpc_name(op)
                .map(|m| format!(", or the method name ({m})"))
                .unwrap_or_default()
        ),
        None => String::new(),
    };
    format!(
        "{names}\nThe response body is printed as pretty JSON; errors go to stderr with exit code 1."
    )
}

/// The operations whose name is close to `typed` (by edit distance, any of
/// kebab-case, snake_case or a method name), best first, each once, in
/// kebab-case; at most five.
pub(crate) fn similar_operations(spec: &ProviderSpec, typed: &str) -> Vec<String> {
    let norm = |s: &str| s.to_lowercase().replace(['_', '.'], "-");
    let typed = norm(typed);
    let mut scored: Vec<(usize, String)> = spec
        .meta
        .operations
        .iter()
        .map(|op| op.id.to_kebab_case())
        .filter_map(|name| {
            let d = edit_distance(&typed, &name);
            let close = d <= (name.len().max(typed.len()) / 3).max(2)
                || (typed.len() >= 4 && (name.contains(&typed) || typed.contains(&name)));
            close.then_some((d, name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, name)| name).collect()
}

/// Levenshtein distance between two short ASCII-ish names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The method name of an RPC-style operation (`/chat.list` → `chat.list`).
fn rpc_name(op: &OperationMeta) -> Option<&'static str> {
    let name = op.path.strip_prefix('/')?;
    (!name.contains('/') && !name.contains('{') && name.contains('.')).then_some(name)
}

fn operation_command(spec: &'static ProviderSpec, op: &'static OperationMeta) -> Command {
    let name = op.id.to_kebab_case();
    let mut cmd = Command::new(name.clone())
        .about(op.summary)
        .long_about(format!("{}\n\n{} {}", op.summary, op.method, op.path));
    if name != op.id {
        cmd = cmd.alias(op.id);
    }
    if let Some(method) = rpc_name(op) {
        cmd = cmd.visible_alias(method);
    }
    let mut used: HashSet<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
    // The usage line names every field a call needs, `--body` ones included
    // (clap would show only `[OPTIONS]` for those).
    let mut needed = Vec::new();
    for p in op.params {
        let mut long = p.name.to_kebab_case();
        if used.contains(&long) {
            long = format!("param-{long}");
        }
        used.insert(long.clone());
        let alias = (p.name != long && !used.contains(p.name)).then(|| p.name.to_owned());
        if let Some(a) = &alias {
            used.insert(a.clone());
        }
        let arg = param_arg(spec, op, p, long, alias);
        if p.required && option_default(spec.provider, p).is_none() {
            let value = arg
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| "VALUE".to_owned(), ToString::to_string);
            needed.push(format!("--{} <{value}>", arg.get_long().unwrap_or(p.name)));
        }
        cmd = cmd.arg(arg);
    }
    let mut usage = format!("supportkit {} {name} [OPTIONS]", spec.provider);
    for flag in &needed {
        usage.push(' ');
        usage.push_str(flag);
    }
    cmd = cmd.override_usage(usage);
    let multipart = op.body == BodyKind::Multipart;
    if op.body != BodyKind::None {
        cmd = cmd.arg(
            Arg::new(BODY)
                .long("body")
                .value_name("JSON")
                .value_parser(parse_json)
                .help_heading(if multipart { "Form fields" } else { "Body fields" })
                .help(if multipart {
                    "The text fields as a JSON object; field flags are added to it"
                } else {
                    "The whole JSON body (an object, or an array where the operation takes one); field flags are merged into it"
                }),
        );
    }
    // The spec says which multipart operations take files and a map.
    if let Some(mp) = &op.multipart {
        if let Some(part) = mp.files {
            cmd = cmd.arg(
                Arg::new(ATTACHMENT)
                    .long("attachment")
                    .value_name("PATH")
                    .action(ArgAction::Append)
                    .value_parser(clap::value_parser!(PathBuf))
                    .help_heading("Form fields")
                    .help(format!(
                        "A file to attach (repeatable), sent as `{part}[i]`"
                    )),
            );
        }
        if let Some(prefix) = mp.map {
            cmd = cmd.arg(
                Arg::new(CUSTOM_FIELD)
                    .long("custom-field")
                    .value_name("KEY=VALUE")
                    .action(ArgAction::Append)
                    .value_parser(parse_key_value)
                    .help_heading("Form fields")
                    .help(format!("A map part (repeatable), sent as `{prefix}[KEY]`")),
            );
        }
    }
    cmd
}

/// The provider option (and its environment variable) a required parameter defaults to.
fn option_default(provider: Provider, param: &ParamMeta) -> Option<(&'static str, &'static str)> {
    let snake = param.name.to_snake_case();
    kit(provider)
        .env
        .options
        .iter()
        .find(|(key, _)| *key == snake)
        .copied()
}

fn param_arg(
    spec: &ProviderSpec,
    op: &OperationMeta,
    p: &'static ParamMeta,
    long: String,
    alias: Option<String>,
) -> Arg {
    let mut help = p.description.to_owned();
    if help.is_empty() {
        help = format!("`{}`", p.name);
    } else if p.name.replace('_', "-") != long {
        help.push_str(&format!(" (`{}`)", p.name));
    }
    let mut arg = Arg::new(p.name).long(long).help_heading(match p.location {
        Location::Path => "Path parameters",
        Location::Query => "Query parameters",
        Location::Header => "Header parameters",
        Location::Body if op.body == BodyKind::Multipart => "Form fields",
        Location::Body => "Body fields",
    });
    if let Some(a) = alias {
        arg = arg.alias(a);
    }
    arg = match p.kind {
        ParamKind::String => arg.value_name(p.name.to_shouty_snake_case()),
        ParamKind::Integer => arg.value_name("INT").value_parser(clap::value_parser!(i64)),
        ParamKind::Number => arg
            .value_name("NUMBER")
            .value_parser(clap::value_parser!(f64)),
        ParamKind::Boolean => arg
            .value_name("BOOL")
            .num_args(0..=1)
            .default_missing_value("true")
            .value_parser(BoolishValueParser::new()),
        ParamKind::Json => arg.value_name("JSON").value_parser(parse_json),
    };
    // The spec's enum: a closed set for a string flag (clap lists and checks
    // it), a note for a JSON list whose items are enumerated.
    match enum_values(op, p) {
        Some((values, false)) if p.kind == ParamKind::String => {
            arg = arg.value_parser(PossibleValuesParser::new(values));
        }
        Some((values, _)) => help.push_str(&format!(" [values: {}]", values.join(", "))),
        None => {}
    }
    if let (ParamKind::Json, Some(example)) = (p.kind, p.example) {
        help.push_str(&format!(" [example: {example}]"));
    }
    if let Some(default) = p.default {
        help.push_str(&format!(" [default: {default}]"));
    }
    if p.required && p.default.is_none() {
        if let Some((key, var)) = option_default(spec.provider, p) {
            help.push_str(&format!(
                " [required; default: ${var} or options.{key} in the config file]"
            ));
        } else if p.location == Location::Body {
            help.push_str(" [required, here or in --body]");
            arg = arg.required_unless_present(BODY);
        } else {
            help.push_str(" [required]");
            arg = arg.required(true);
        }
    }
    arg.help(help)
}

/// The documented values of a parameter (or of each item of a list
/// parameter, `true`), from the operation's constraint table.
fn enum_values(op: &OperationMeta, p: &ParamMeta) -> Option<(&'static [&'static str], bool)> {
    op.constraints.iter().find_map(|c| {
        let Rule::OneOf(values) = c.rule else {
            return None;
        };
        if c.location != p.location {
            return None;
        }
        match c.path {
            [Seg::Key(k)] if *k == p.name => Some((values, false)),
            [Seg::Key(k), Seg::Each] if *k == p.name => Some((values, true)),
            _ => None,
        }
    })
}

fn parse_json(raw: &str) -> Result<Value, String> {
    serde_json::from_str(raw).map_err(|e| format!("not valid JSON: {e}"))
}

fn parse_key_value(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got `{raw}`")),
    }
}

/// The call of `op` given on the command line: flag values as JSON (clap
/// parsed them by the spec's types), `--body`, the files of `--attachment`
/// and the pairs of `--custom-field`, and the provider options for required
/// parameters named like one. The request is built by the runtime's
/// [`dynamic`](supportkit_runtime::dynamic) module, as the MCP server's is.
fn call_from_matches(
    spec: &ProviderSpec,
    op: &'static OperationMeta,
    m: &ArgMatches,
    settings: &Settings,
) -> Result<Call, Error> {
    let mut call = Call::default();
    if op.body != BodyKind::None {
        call.body = m.get_one::<Value>(BODY).cloned();
    }
    if let Some(mp) = &op.multipart {
        if mp.files.is_some() {
            for path in m.get_many::<PathBuf>(ATTACHMENT).into_iter().flatten() {
                let file = Attachment::from_path(path).map_err(|e| {
                    Error::msg(format!("cannot read attachment {}: {e}", path.display()))
                })?;
                call.attachments.push(file);
            }
        }
        if mp.map.is_some() {
            call.custom_fields = m
                .get_many::<(String, String)>(CUSTOM_FIELD)
                .map(|v| v.cloned().collect())
                .unwrap_or_default();
        }
    }
    for p in op.params {
        let value = match p.kind {
            ParamKind::String => m.get_one::<String>(p.name).cloned().map(Value::String),
            ParamKind::Integer => m.get_one::<i64>(p.name).map(|i| Value::from(*i)),
            ParamKind::Number => m.get_one::<f64>(p.name).map(|x| Value::from(*x)),
            ParamKind::Boolean => m.get_one::<bool>(p.name).map(|b| Value::Bool(*b)),
            ParamKind::Json => m.get_one::<Value>(p.name).cloned(),
        };
        let value = match value {
            Some(v) => Some(v),
            None if p.required => match option_default(spec.provider, p) {
                Some((key, var)) => match settings.option(key) {
                    Some(v) => Some(Value::String(v.to_owned())),
                    None => {
                        return Err(Error::Usage(format!(
                            "`supportkit {} {}` needs --{}: give it, or set ${var} or options.{key} in the [{}] table of the config file",
                            spec.provider,
                            op.id.to_kebab_case(),
                            p.name.to_kebab_case(),
                            spec.provider,
                        )));
                    }
                },
                None => None,
            },
            None => None,
        };
        if let Some(v) = value {
            call.values.push((p, v));
        }
    }
    check_body_flags(op, &call)?;
    Ok(call)
}

/// `--body` must be an object where field flags or form fields go into it:
/// a usage error in the terms of the flags (the runtime would refuse it too,
/// in the terms of the spec).
fn check_body_flags(op: &OperationMeta, call: &Call) -> Result<(), Error> {
    let Some(body) = &call.body else {
        return Ok(());
    };
    if body.is_object() {
        return Ok(());
    }
    if op.body == BodyKind::Multipart {
        return Err(Error::Usage(
            "--body must be a JSON object of form fields".to_owned(),
        ));
    }
    match call
        .values
        .iter()
        .find(|(p, _)| p.location == Location::Body)
    {
        Some((p, _)) => Err(Error::Usage(format!(
            "--body must be a JSON object to be combined with --{}",
            p.name.to_kebab_case()
        ))),
        None => Ok(()),
    }
}

/// Sends `call` through a provider client's transport and returns the raw success body.
pub async fn send<C: ClientInfo<Transport>>(
    client: &C,
    op: &'static OperationMeta,
    call: &Call,
) -> Result<bytes::Bytes, Error> {
    // The request value every typed call builds too, through the same send.
    let request = call.request(&Endpoint::of(client), op)?;
    Ok(request.send().await?.into_bytes()?)
}

/// Connects to `settings`' provider and sends `call`.
pub async fn invoke(
    settings: &Settings,
    op: &'static OperationMeta,
    call: &Call,
) -> Result<bytes::Bytes, Error> {
    let config = settings.connect_config()?.runtime_config();
    let endpoint = crate::config::kit(settings.provider()).endpoint(config)?;
    // The request value every typed call builds too, through the same send.
    let request = call.request(&endpoint, op)?;
    Ok(request.send().await?.into_bytes()?)
}

/// Runs `supportkit <provider> <operation> ...` from its parsed arguments.
pub(crate) async fn run(spec: &'static ProviderSpec, matches: &ArgMatches) -> Result<(), Error> {
    let (name, op_matches) = matches.subcommand().ok_or_else(|| {
        Error::Usage(format!("`supportkit {}` needs an operation", spec.provider))
    })?;
    let op = spec
        .meta
        .operations
        .iter()
        .find(|o| o.id.to_kebab_case() == name)
        .ok_or_else(|| Error::Usage(format!("unknown operation {name}")))?;
    let provider = Some(spec.provider);
    let config = op_matches
        .get_one::<PathBuf>("config")
        .map(PathBuf::as_path);
    let settings = Settings::load(spec.provider, config)
        .map_err(|e| e.advise(provider))?
        .with_redis(op_matches.get_one::<String>("redis").cloned())
        .with_store_failure(
            op_matches
                .get_one::<crate::StorePolicy>("on_store_failure")
                .copied()
                .unwrap_or_default(),
        );
    let call =
        call_from_matches(spec, op, op_matches, &settings).map_err(|e| e.advise(provider))?;
    // The provider options the request carries (a property, a department):
    // what a 403 is about.
    let named: Vec<(String, String)> = call
        .values
        .iter()
        .filter(|(p, _)| option_default(spec.provider, p).is_some())
        .map(|(p, v)| (p.name.to_snake_case(), dynamic::text(v)))
        .collect();
    let body = invoke(&settings, op, &call)
        .await
        .map_err(|e| e.advise_named(provider, &named))?;
    print_body(&body)
}

fn print_body(body: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let result = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(())
    } else if let Ok(json) = serde_json::from_slice::<Value>(body) {
        serde_json::to_writer_pretty(&mut out, &json)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
    } else {
        out.write_all(body)
    };
    match result.and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // `supportkit ... | head`: a closed pipe is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::msg(format!("cannot write the response: {e}"))),
    }
}

#[cfg(test)]
mod tests;
