import { escapeHtml } from "./http.js";

/**
 * What a site's "am I logged in?" page answers. Every status page marks its
 * `<body>` with `data-ready="1"` once it knows, and `data-status` holds this
 * object as JSON, so one driver can read every site the same way.
 */
export interface SiteStatus {
  loggedIn: boolean;
  user?: string;
  /** Why not, or what else was checked (never a secret). */
  detail?: string;
}

/** Body attributes of a page whose status the server already knows. */
export function statusAttributes(status: SiteStatus): string {
  return `data-ready="1" data-status="${escapeHtml(JSON.stringify(status))}"`;
}

/** Page-script helper that publishes a status computed in the page. */
export const reportStatusScript = `function reportStatus(status) {
  document.body.dataset.status = JSON.stringify(status);
  document.body.dataset.ready = "1";
}`;
