/**
 * SIGTERM/SIGINT, listened for from the very start: a signal that arrives
 * while the browser is still being seeded must close it (and remove its
 * profile) once it is up, not kill this process and orphan Chromium.
 */
export function watchStopSignals(): {
  signalled: Promise<"signal">;
  readonly requested: boolean;
  dispose(): void;
} {
  let requested = false;
  let resolveSignal: (reason: "signal") => void = () => undefined;
  const signalled = new Promise<"signal">((resolve) => {
    resolveSignal = resolve;
  });
  const stop = () => {
    requested = true;
    resolveSignal("signal");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return {
    signalled,
    get requested() {
      return requested;
    },
    dispose() {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    },
  };
}
