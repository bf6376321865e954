import { z } from "zod";
import { success } from "./common.js";
import {
  environmentSchema,
  fileSummarySchema,
  versionInfoSchema,
  versionSummarySchema,
} from "./environments.js";

/**
 * The legacy `/profiles…` answers: the environment routes' answers with
 * `profile`/`profiles` for `environment`/`environments` at the top level and
 * "Profile" in their own messages. Nothing inside the records is renamed.
 */
export const profileCreatedAnswerSchema = z.object({
  ...success,
  message: z.literal("Profile created"),
  profile: environmentSchema,
});
export const profileListAnswerSchema = z.object({ ...success, profiles: z.array(environmentSchema) });
export const profileDetailAnswerSchema = z.object({
  ...success,
  profile: environmentSchema,
  files: z.array(fileSummarySchema),
  versions: z.array(versionInfoSchema),
});
export const profileAnswerSchema = z.object({ ...success, profile: environmentSchema });
export const profileDeletedAnswerSchema = z.object({ ...success, message: z.literal("Profile deleted") });
export const profileBrowserDataUploadedAnswerSchema = z.object({
  ...success,
  message: z.literal("Browser data uploaded"),
  profile: environmentSchema,
  version: z.number().int(),
  summary: versionSummarySchema,
});
export const profileSavedVersionAnswerSchema = z.object({
  ...success,
  version: z.number().int(),
  bytesUploaded: z.number().int(),
  summary: versionSummarySchema,
  profile: environmentSchema,
});
