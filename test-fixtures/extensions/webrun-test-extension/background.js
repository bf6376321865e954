// Records the install, and keeps the signed-in user in chrome.storage.local
// when the login page asks: that stored state is what "logged in" means here.
chrome.runtime.onInstalled.addListener(async ({ reason }) => {
  const { installedAt } = await chrome.storage.local.get("installedAt");
  if (installedAt === undefined)
    await chrome.storage.local.set({ installedAt: new Date().toISOString(), installReason: reason });
});

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message?.type !== "login" || typeof message.user !== "string" || message.user === "") return false;
  const session = { user: message.user, token: crypto.randomUUID(), signedInAt: new Date().toISOString() };
  chrome.storage.local
    .set({ session, preferences: { theme: "dark", languages: ["en", "de"], "ключ 🔑": "ünïcödé" } })
    .then(
      () => sendResponse({ ok: true }),
      (error) => sendResponse({ ok: false, error: String(error) }),
    );
  return true;
});
