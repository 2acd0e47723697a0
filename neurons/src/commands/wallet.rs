//! `nya wallet …`: create, restore and inspect bittensor wallets, sign and verify messages.
//!
//! Wallets are btcli's (`<wallet.path>/<wallet.name>/coldkey`, `hotkeys/<wallet.hotkey>`), so
//! btcli and the bittensor SDK read what nya writes and the other way round. Coldkeys are
//! encrypted unless `--no-password`; hotkeys are not unless `--use-password`. Passwords come from
//! `--password-env VAR`, `--password-stdin` (first line), or a terminal prompt (twice when
//! creating). Every command prints text, or one JSON object with `--json`. Creating a key is the
//! one time a secret is printed: its mnemonic, once, to stdout (field `mnemonic` in JSON).

use std::io::{self, BufRead};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use nya_chain::keys::{self, Keypair, MNEMONIC_WORD_COUNTS};
use nya_chain::wallet::{self, KeySource, NewKey, Wallet, Zeroizing};
use serde_json::{Value, json};

use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// Create a wallet: a new coldkey (encrypted) and a new hotkey
    Create(CreateArgs),
    /// Create a new coldkey in the wallet
    NewColdkey(NewColdkeyArgs),
    /// Create a new hotkey in the wallet
    NewHotkey(NewHotkeyArgs),
    /// Restore the coldkey from its mnemonic or seed
    RegenColdkey(RegenColdkeyArgs),
    /// Restore the hotkey from its mnemonic or seed
    RegenHotkey(RegenHotkeyArgs),
    /// List the wallets under the wallet path, with their hotkeys
    List(OutputArgs),
    /// Show the wallet's coldkey and hotkey addresses (no password needed)
    Show(OutputArgs),
    /// Sign a message with the coldkey (or the hotkey) and print the 0x signature
    Sign(SignArgs),
    /// Verify a signature; exit status 0 when valid, 1 when not
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// Read the password from this environment variable (for scripts)
    #[arg(long, value_name = "VAR", conflicts_with = "password_stdin")]
    pub password_env: Option<String>,
    /// Read the password from the first line of standard input (for scripts)
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct NewKeyArgs {
    /// Mnemonic length in words
    #[arg(long, visible_alias = "n_words", default_value_t = 12, value_parser = parse_word_count)]
    pub n_words: usize,
    /// Replace an existing key file (its key is lost unless you have its mnemonic)
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub key: NewKeyArgs,
    /// Store the coldkey unencrypted (not recommended)
    #[arg(long)]
    pub no_password: bool,
    /// Encrypt the hotkey too (with the same password source)
    #[arg(long)]
    pub use_password: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct NewColdkeyArgs {
    #[command(flatten)]
    pub key: NewKeyArgs,
    /// Store the coldkey unencrypted (not recommended)
    #[arg(long)]
    pub no_password: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct NewHotkeyArgs {
    #[command(flatten)]
    pub key: NewKeyArgs,
    /// Encrypt the hotkey with a password
    #[arg(long)]
    pub use_password: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where a restored key comes from; with neither option, a hidden prompt asks for it.
#[derive(Debug, Args)]
pub struct SecretArgs {
    /// The mnemonic, in quotes (visible in shell history; omit both options to be prompted)
    #[arg(long, value_name = "WORDS", conflicts_with = "seed")]
    pub mnemonic: Option<String>,
    /// The 32-byte seed as 0x + 64 hex digits
    #[arg(long, value_name = "0xHEX")]
    pub seed: Option<String>,
    /// Replace an existing key file
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct RegenColdkeyArgs {
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Store the coldkey unencrypted (not recommended)
    #[arg(long)]
    pub no_password: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RegenHotkeyArgs {
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Encrypt the hotkey with a password
    #[arg(long)]
    pub use_password: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The message (its UTF-8 bytes are signed)
    #[arg(long)]
    pub message: String,
    /// Sign with the hotkey instead of the coldkey
    #[arg(long, visible_alias = "use-hotkey")]
    pub hotkey: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The message that was signed
    #[arg(long)]
    pub message: String,
    /// The signature, 0x + 128 hex digits
    #[arg(long, value_name = "0xHEX")]
    pub signature: String,
    /// The signer's SS58 address
    #[arg(long, visible_alias = "address", value_name = "ADDRESS")]
    pub ss58: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// What a command prints: text, or the JSON object with `--json`, and whether it succeeded.
#[derive(Debug)]
pub struct Outcome {
    pub json: Value,
    pub text: String,
    pub success: bool,
}

impl Outcome {
    fn ok(json: Value, text: String) -> Self {
        Outcome {
            json,
            text,
            success: true,
        }
    }
}

/// Asks the user for secrets. The terminal in the binary; a script in tests.
pub trait Prompt {
    fn secret(&mut self, prompt: &str) -> io::Result<String>;
}

/// Hidden input from the controlling terminal.
pub struct TerminalPrompt;

impl Prompt for TerminalPrompt {
    fn secret(&mut self, prompt: &str) -> io::Result<String> {
        rpassword::prompt_password(prompt)
    }
}

/// Runs a wallet command, printing its outcome.
pub fn run(command: WalletCommand, settings: &Settings) -> Result<ExitCode> {
    let json = wants_json(&command);
    let outcome = execute(command, settings, &mut TerminalPrompt)?;
    if json {
        println!("{}", outcome.json);
    } else {
        print!("{}", outcome.text);
    }
    Ok(if outcome.success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn wants_json(command: &WalletCommand) -> bool {
    match command {
        WalletCommand::Create(a) => a.output.json,
        WalletCommand::NewColdkey(a) => a.output.json,
        WalletCommand::NewHotkey(a) => a.output.json,
        WalletCommand::RegenColdkey(a) => a.output.json,
        WalletCommand::RegenHotkey(a) => a.output.json,
        WalletCommand::List(a) | WalletCommand::Show(a) => a.json,
        WalletCommand::Sign(a) => a.output.json,
        WalletCommand::Verify(a) => a.output.json,
    }
}

/// Runs a wallet command and returns what it would print.
pub fn execute(
    command: WalletCommand,
    settings: &Settings,
    prompt: &mut dyn Prompt,
) -> Result<Outcome> {
    let wallet = || {
        Wallet::new(
            &settings.wallet_path,
            &settings.wallet_name,
            &settings.wallet_hotkey,
        )
        .map_err(anyhow::Error::from)
    };
    match command {
        WalletCommand::Create(args) => {
            let wallet = wallet()?;
            if !args.key.overwrite {
                // Fail before asking for a password, not after.
                refuse_existing(&wallet, true)?;
                refuse_existing(&wallet, false)?;
            }
            let mut passwords = Passwords::new(&args.password, prompt);
            let cold = new_key(
                &wallet,
                Role::Coldkey,
                &args.key,
                !args.no_password,
                &mut passwords,
            )?;
            let hot = new_key(
                &wallet,
                Role::Hotkey,
                &args.key,
                args.use_password,
                &mut passwords,
            )?;
            let text = format!("{}{}", cold.text, hot.text);
            Ok(Outcome::ok(
                json!({ "wallet": wallet.name(), "coldkey": cold.json, "hotkey": hot.json }),
                text,
            ))
        }
        WalletCommand::NewColdkey(args) => {
            let wallet = wallet()?;
            let mut passwords = Passwords::new(&args.password, prompt);
            let made = new_key(
                &wallet,
                Role::Coldkey,
                &args.key,
                !args.no_password,
                &mut passwords,
            )?;
            Ok(Outcome::ok(made.json, made.text))
        }
        WalletCommand::NewHotkey(args) => {
            let wallet = wallet()?;
            let mut passwords = Passwords::new(&args.password, prompt);
            let made = new_key(
                &wallet,
                Role::Hotkey,
                &args.key,
                args.use_password,
                &mut passwords,
            )?;
            Ok(Outcome::ok(made.json, made.text))
        }
        WalletCommand::RegenColdkey(args) => {
            let wallet = wallet()?;
            let mut passwords = Passwords::new(&args.password, prompt);
            regen_key(
                &wallet,
                Role::Coldkey,
                &args.secret,
                !args.no_password,
                &mut passwords,
            )
        }
        WalletCommand::RegenHotkey(args) => {
            let wallet = wallet()?;
            let mut passwords = Passwords::new(&args.password, prompt);
            regen_key(
                &wallet,
                Role::Hotkey,
                &args.secret,
                args.use_password,
                &mut passwords,
            )
        }
        WalletCommand::List(_) => list(settings),
        WalletCommand::Show(_) => show(&wallet()?),
        WalletCommand::Sign(args) => {
            let wallet = wallet()?;
            let mut passwords = Passwords::new(&args.password, prompt);
            sign(&wallet, &args, &mut passwords)
        }
        WalletCommand::Verify(args) => verify(&args),
    }
}

/// Coldkey or hotkey: where the same operations differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Coldkey,
    Hotkey,
}

impl Role {
    fn label(self) -> &'static str {
        match self {
            Role::Coldkey => "coldkey",
            Role::Hotkey => "hotkey",
        }
    }

    fn path(self, wallet: &Wallet) -> std::path::PathBuf {
        match self {
            Role::Coldkey => wallet.coldkey_path(),
            Role::Hotkey => wallet.hotkey_path(),
        }
    }
}

fn refuse_existing(wallet: &Wallet, coldkey: bool) -> Result<()> {
    let paths = if coldkey {
        [wallet.coldkey_path(), wallet.coldkeypub_path()]
    } else {
        [wallet.hotkey_path(), wallet.hotkeypub_path()]
    };
    for path in paths {
        wallet::storage::refuse_existing(&path)?;
    }
    Ok(())
}

/// A created key's report.
struct Made {
    json: Value,
    text: String,
}

fn new_key(
    wallet: &Wallet,
    role: Role,
    args: &NewKeyArgs,
    encrypt: bool,
    passwords: &mut Passwords<'_>,
) -> Result<Made> {
    let label = role.label();
    if !args.overwrite {
        refuse_existing(wallet, role == Role::Coldkey)?;
    }
    let password = if encrypt {
        Some(passwords.new_password(label)?)
    } else {
        None
    };
    warn_if_unencrypted(role, encrypt);
    let password = password.as_ref().map(|p| p.as_str());
    let NewKey { keypair, mnemonic } = match role {
        Role::Coldkey => wallet.create_coldkey(args.n_words, password, args.overwrite)?,
        Role::Hotkey => wallet.create_hotkey(args.n_words, password, args.overwrite)?,
    };
    let path = role.path(wallet);
    let json = json!({
        "name": if role == Role::Hotkey { wallet.hotkey() } else { wallet.name() },
        "ss58": keypair.ss58(),
        "path": path.display().to_string(),
        "encrypted": encrypt,
        "mnemonic": mnemonic.as_str(),
    });
    let text = format!(
        "Created {label} {} in {}{}\n\
         IMPORTANT: write down this {label} mnemonic and keep it secret. It is the only way to \
         restore the key (nya wallet regen-{label}); anyone who has it controls the key. It is not \
         shown again.\n\n    {}\n\n",
        keypair.ss58(),
        path.display(),
        if encrypt { " (encrypted)" } else { "" },
        mnemonic.as_str(),
    );
    Ok(Made { json, text })
}

fn regen_key(
    wallet: &Wallet,
    role: Role,
    args: &SecretArgs,
    encrypt: bool,
    passwords: &mut Passwords<'_>,
) -> Result<Outcome> {
    let label = role.label();
    if !args.overwrite {
        refuse_existing(wallet, role == Role::Coldkey)?;
    }
    let source = match (&args.mnemonic, &args.seed) {
        (Some(phrase), _) => KeySource::mnemonic(phrase),
        (None, Some(seed)) => KeySource::seed_hex(seed).context("--seed")?,
        (None, None) => {
            let typed = Zeroizing::new(
                passwords
                    .prompt
                    .secret(&format!("Mnemonic or 0x seed of the {label}: "))
                    .context(
                        "cannot read the mnemonic from the terminal; use --mnemonic or --seed",
                    )?,
            );
            if typed.trim().starts_with("0x") {
                KeySource::seed_hex(&typed)?
            } else {
                KeySource::mnemonic(&typed)
            }
        }
    };
    // Check the phrase before asking for a password (a typo should not cost a prompt).
    if let KeySource::Mnemonic(phrase) = &source {
        keys::mini_secret_from_phrase(phrase, None)?;
    }
    let password = if encrypt {
        Some(passwords.new_password(label)?)
    } else {
        None
    };
    warn_if_unencrypted(role, encrypt);
    let password = password.as_ref().map(|p| p.as_str());
    let keypair = match role {
        Role::Coldkey => wallet.regen_coldkey(&source, password, args.overwrite)?,
        Role::Hotkey => wallet.regen_hotkey(&source, password, args.overwrite)?,
    };
    let path = role.path(wallet);
    let json = json!({
        "name": if role == Role::Hotkey { wallet.hotkey() } else { wallet.name() },
        "ss58": keypair.ss58(),
        "path": path.display().to_string(),
        "encrypted": encrypt,
    });
    let text = format!(
        "Restored {label} {} in {}{}\n",
        keypair.ss58(),
        path.display(),
        if encrypt { " (encrypted)" } else { "" }
    );
    Ok(Outcome::ok(json, text))
}

fn warn_if_unencrypted(role: Role, encrypt: bool) {
    if role == Role::Coldkey && !encrypt {
        tracing::warn!(
            "the coldkey is stored UNENCRYPTED: anyone who can read the file controls it"
        );
    }
}

fn list(settings: &Settings) -> Result<Outcome> {
    let root = &settings.wallet_path;
    let wallets = wallet::list_wallets(root)?;
    let mut text = if wallets.is_empty() {
        format!("No wallets in {}\n", root.display())
    } else {
        format!("Wallets in {}\n", root.display())
    };
    let mut entries = Vec::with_capacity(wallets.len());
    for found in &wallets {
        text.push_str(&format!(
            "{}  {}\n",
            found.name,
            address_text(&found.coldkey)
        ));
        let mut hotkeys = Vec::with_capacity(found.hotkeys.len());
        for hotkey in &found.hotkeys {
            text.push_str(&format!(
                "    {}  {}\n",
                hotkey.name,
                address_text(&hotkey.ss58)
            ));
            hotkeys.push(address_json(&hotkey.name, &hotkey.ss58));
        }
        let mut entry = address_json(&found.name, &found.coldkey);
        entry["hotkeys"] = Value::Array(hotkeys);
        entries.push(entry);
    }
    let json = json!({ "path": root.display().to_string(), "wallets": entries });
    Ok(Outcome::ok(json, text))
}

fn address_text(address: &Result<String, String>) -> String {
    match address {
        Ok(ss58) => ss58.clone(),
        Err(problem) => format!("(unknown: {problem})"),
    }
}

/// `{"name", "ss58"}`, with `ss58: null` and a `problem` when the address is unknown.
fn address_json(name: &str, address: &Result<String, String>) -> Value {
    match address {
        Ok(ss58) => json!({ "name": name, "ss58": ss58 }),
        Err(problem) => json!({ "name": name, "ss58": null, "problem": problem }),
    }
}

/// Both addresses; an unknown one is reported with its reason, and only a wallet with neither
/// is an error.
fn show(wallet: &Wallet) -> Result<Outcome> {
    let coldkey = wallet.coldkey_ss58().map_err(|e| e.to_string());
    let hotkey = wallet.hotkey_ss58().map_err(|e| e.to_string());
    if let (Err(problem), Err(_)) = (&coldkey, &hotkey) {
        bail!("{problem}");
    }
    let mut json = json!({
        "wallet": wallet.name(),
        "path": wallet.dir().display().to_string(),
        "coldkey": address_json(wallet.name(), &coldkey),
        "hotkey": address_json(wallet.hotkey(), &hotkey),
    });
    if let Ok(encrypted) = wallet.coldkey_is_encrypted() {
        json["coldkey"]["encrypted"] = encrypted.into();
    }
    let text = format!(
        "wallet   {} ({})\ncoldkey  {}\nhotkey   {}  {}\n",
        wallet.name(),
        wallet.dir().display(),
        address_text(&coldkey),
        wallet.hotkey(),
        address_text(&hotkey)
    );
    Ok(Outcome::ok(json, text))
}

fn sign(wallet: &Wallet, args: &SignArgs, passwords: &mut Passwords<'_>) -> Result<Outcome> {
    let role = if args.hotkey {
        Role::Hotkey
    } else {
        Role::Coldkey
    };
    let keypair = load(wallet, role, passwords)?;
    let signature = format!("0x{}", hex::encode(keypair.sign(args.message.as_bytes())));
    let json = json!({
        "ss58": keypair.ss58(),
        "key": role.label(),
        "message": args.message,
        "signature": signature,
    });
    Ok(Outcome::ok(json, format!("{signature}\n")))
}

/// Loads a key, asking for its password only when the file is encrypted.
pub(crate) fn load(wallet: &Wallet, role: Role, passwords: &mut Passwords<'_>) -> Result<Keypair> {
    let encrypted = match role {
        Role::Coldkey => wallet.coldkey_is_encrypted()?,
        Role::Hotkey => wallet.hotkey_is_encrypted()?,
    };
    let password = if encrypted {
        Some(passwords.existing_password(&format!(
            "{} {}",
            role.label(),
            role.path(wallet).display()
        ))?)
    } else {
        None
    };
    let password = password.as_ref().map(|p| p.as_str());
    Ok(match role {
        Role::Coldkey => wallet.load_coldkey(password)?,
        Role::Hotkey => wallet.load_hotkey(password)?,
    })
}

fn verify(args: &VerifyArgs) -> Result<Outcome> {
    let public = keys::parse_ss58(&args.ss58)?;
    let mut signature = [0u8; 64];
    let digits = args.signature.trim();
    hex::decode_to_slice(digits.strip_prefix("0x").unwrap_or(digits), &mut signature)
        .map_err(|_| anyhow!("--signature must be 0x followed by 128 hex digits (64 bytes)"))?;
    let valid = keys::verify_message(&signature, args.message.as_bytes(), &public);
    let json = json!({ "valid": valid, "ss58": args.ss58.trim(), "message": args.message });
    let text = if valid {
        format!("valid: the signature is {}'s\n", args.ss58.trim())
    } else {
        format!(
            "INVALID: the signature is not {}'s signature of this message\n",
            args.ss58.trim()
        )
    };
    Ok(Outcome {
        json,
        text,
        success: valid,
    })
}

fn parse_word_count(text: &str) -> std::result::Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if MNEMONIC_WORD_COUNTS.contains(&n) => Ok(n),
        _ => Err("must be 12, 15, 18, 21 or 24".to_owned()),
    }
}

/// Passwords from the chosen source. Standard input is read once and reused (`create` with
/// `--use-password` encrypts both keys with it), as is an environment variable.
pub(crate) struct Passwords<'a> {
    args: &'a PasswordArgs,
    prompt: &'a mut dyn Prompt,
    from_stdin: Option<Zeroizing<String>>,
}

impl<'a> Passwords<'a> {
    pub(crate) fn new(args: &'a PasswordArgs, prompt: &'a mut dyn Prompt) -> Self {
        Passwords {
            args,
            prompt,
            from_stdin: None,
        }
    }

    /// A password for a new key: typed twice when prompted; never empty.
    fn new_password(&mut self, label: &str) -> Result<Zeroizing<String>> {
        let password = match self.scripted()? {
            Some(password) => password,
            None => {
                let first = self.ask(&format!("New password for the {label}: "))?;
                let second = self.ask(&format!("Repeat the {label} password: "))?;
                if *first != *second {
                    bail!("the two passwords differ; nothing was written");
                }
                first
            }
        };
        if password.is_empty() {
            bail!("the {label} password is empty; give one, or --no-password for no encryption");
        }
        Ok(password)
    }

    /// The password of an existing encrypted key.
    fn existing_password(&mut self, what: &str) -> Result<Zeroizing<String>> {
        match self.scripted()? {
            Some(password) => Ok(password),
            None => self.ask(&format!("Password for the {what}: ")),
        }
    }

    /// The password from --password-env or --password-stdin, if one of them was given.
    fn scripted(&mut self) -> Result<Option<Zeroizing<String>>> {
        if let Some(var) = &self.args.password_env {
            let value = std::env::var(var).map_err(|_| {
                anyhow!("--password-env: environment variable {var} is not set (or not UTF-8)")
            })?;
            return Ok(Some(Zeroizing::new(value)));
        }
        if self.args.password_stdin {
            if self.from_stdin.is_none() {
                let mut line = Zeroizing::new(String::new());
                io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("--password-stdin: cannot read stdin")?;
                let trimmed = line.trim_end_matches(['\n', '\r']).len();
                line.truncate(trimmed);
                self.from_stdin = Some(line);
            }
            return Ok(self.from_stdin.clone());
        }
        Ok(None)
    }

    fn ask(&mut self, prompt: &str) -> Result<Zeroizing<String>> {
        self.prompt.secret(prompt).map(Zeroizing::new).context(
            "cannot read a password from the terminal; use --password-env VAR or --password-stdin",
        )
    }
}

#[cfg(test)]
mod tests;
