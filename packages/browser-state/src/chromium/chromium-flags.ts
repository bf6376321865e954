/**
 * Flags every launch gets. Measured on this machine (notes/chromium-facts.md):
 * without the background-networking flags Chromium floods a closed network
 * with connections; `--no-startup-window` is ~100 ms faster than a default tab.
 */
export const baseChromiumFlags: readonly string[] = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  // Each of these features phones home on its own (network time, autofill, CT lists…).
  "--disable-features=Translate,MediaRouter,OptimizationHints,NetworkTimeServiceQuerying,AutofillServerCommunication,CertificateTransparencyComponentUpdater,DialMediaRouteProvider",
  "--disable-client-side-phishing-detection",
  "--disable-component-extensions-with-background-pages",
  "--disable-domain-reliability",
  "--disable-breakpad",
  "--no-service-autorun",
  "--metrics-recording-only",
  "--no-startup-window",
];

/**
 * Where Chromium gets the key it encrypts cookies and saved secrets with.
 * `"fixed"`: the fixed Linux key and a mock macOS keychain, so a fresh
 * profile needs no desktop keyring. `"system"`: whatever Chromium picks by
 * itself on this machine (macOS Keychain, Windows DPAPI; on Linux the
 * desktop's keyring or else the fixed key) — the key a desktop browser's
 * profile was written with. A Linux backend name forces that backend.
 */
export type PasswordStore = "fixed" | "system" | LinuxPasswordStore;

/** Chromium's Linux `--password-store` backends. */
export type LinuxPasswordStore = "basic" | "gnome-libsecret" | "kwallet" | "kwallet5" | "kwallet6";

function passwordStoreFlags(store: PasswordStore): string[] {
  if (store === "fixed") return ["--password-store=basic", "--use-mock-keychain"];
  if (store === "system") return [];
  return [`--password-store=${store}`];
}

export interface ChromiumFlagOptions {
  userDataDir: string;
  headless: boolean;
  /** Root cannot run Chromium's sandbox here; Playwright adds `--no-sandbox` in that case too. */
  runningAsRoot: boolean;
  /** Default `"fixed"`. */
  passwordStore?: PasswordStore;
  proxyArgs?: readonly string[];
  /** Unpacked extension directories to load. */
  extensionDirs?: readonly string[];
  /** The caller's own flags, appended last so they win. */
  extraArgs?: readonly string[];
}

/** The full argument list for one launch, in the order that decides which duplicate wins. */
export function chromiumArgs(options: ChromiumFlagOptions): string[] {
  const args = [
    ...baseChromiumFlags,
    ...passwordStoreFlags(options.passwordStore ?? "fixed"),
    `--user-data-dir=${options.userDataDir}`,
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
  ];
  if (options.headless) args.push("--headless");
  if (options.runningAsRoot) args.push("--no-sandbox");
  if (options.extensionDirs && options.extensionDirs.length > 0) {
    // Debian's wrapper adds an empty --load-extension=; a later one wins.
    const list = options.extensionDirs.join(",");
    args.push(`--load-extension=${list}`, `--disable-extensions-except=${list}`);
  }
  args.push(...(options.proxyArgs ?? []), ...(options.extraArgs ?? []));
  return args;
}
