//! `GEMSCAN_REGISTRY` selects the registry file (SPEC §9). Its own test
//! binary: it changes the process environment, which other tests must not see.

use clap::Parser;
use gemscan::registry::{run, ModelsArgs};

#[derive(Parser)]
#[command(name = "gemscan")]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(clap::Subcommand)]
enum Top {
    Models(ModelsArgs),
}

fn list(argv: &[&str]) -> (i32, String) {
    let Top::Models(args) = Cli::try_parse_from(argv).unwrap().command;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&args, &mut out, &mut err).unwrap_or_else(|e| e.exit_code());
    (code, String::from_utf8(out).unwrap())
}

#[test]
fn env_var_overrides_the_builtin_registry_and_the_flag_overrides_the_env_var() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    // The built-in registry with only the anthropic provider kept.
    let builtin = gemscan::registry::BUILTIN_REGISTRY_YAML;
    let start = builtin.find("  groq:").unwrap();
    let end = builtin.find("  anthropic:").unwrap();
    let routing = builtin.find("# task -> primary").unwrap();
    let budgets = builtin.find("budgets:").unwrap();
    let small = format!(
        "{}{}{}",
        &builtin[..start],
        &builtin[end..routing],
        &builtin[budgets..]
    );
    let path = dir.path().join("small.yaml");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(small.as_bytes())
        .unwrap();

    let (code, out) = list(&["gemscan", "models", "list"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("9 models from 3 providers (built-in registry)"),
        "{out}"
    );

    std::env::set_var("GEMSCAN_REGISTRY", &path);
    let (code, out) = list(&["gemscan", "models", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("2 models from 1 provider "), "{out}");

    let (code, _) = list(&[
        "gemscan",
        "models",
        "--registry",
        "/nonexistent.yaml",
        "list",
    ]);
    assert_eq!(code, 1);

    std::env::remove_var("GEMSCAN_REGISTRY");
}
