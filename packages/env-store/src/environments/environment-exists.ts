import { isWebrunError } from "@webrun/errors";
import type { EnvironmentStore } from "./environment-store.js";

/**
 * Whether the user has this environment (a malformed, unknown, deleted or
 * another user's id: false): the question a file service asks before it
 * attaches a file. Any other failure (storage down) is thrown, not a "no".
 */
export async function environmentExists(
  environments: Pick<EnvironmentStore, "get">,
  userId: string,
  environmentId: string,
): Promise<boolean> {
  try {
    await environments.get(userId, environmentId);
    return true;
  } catch (error) {
    if (isWebrunError(error, "ENVIRONMENT_NOT_FOUND")) return false;
    throw error;
  }
}
