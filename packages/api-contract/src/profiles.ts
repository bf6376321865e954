import { z } from "zod";
import {
  environmentAnswerSchema,
  environmentCreatedAnswerSchema,
  environmentDeletedAnswerSchema,
  environmentDetailAnswerSchema,
  environmentListAnswerSchema,
  environmentSchema,
} from "./environments.js";
import {
  browserDataUploadedAnswerSchema,
  mergedSaveAnswerSchema,
  savedVersionAnswerSchema,
} from "./state.js";

/**
 * The legacy `/profiles…` answers: the environment routes' answers with
 * `profile`/`profiles` for `environment`/`environments` at the top level and
 * "Profile" in their own messages. Nothing inside the records is renamed.
 */
const withProfile = <S extends z.ZodObject<{ environment: typeof environmentSchema }>>(answer: S) =>
  answer.omit({ environment: true }).extend({ profile: environmentSchema });

export const profileCreatedAnswerSchema = withProfile(environmentCreatedAnswerSchema).extend({
  message: z.literal("Profile created"),
});
export const profileListAnswerSchema = environmentListAnswerSchema
  .omit({ environments: true })
  .extend({ profiles: z.array(environmentSchema) });
export const profileDetailAnswerSchema = withProfile(environmentDetailAnswerSchema);
export const profileAnswerSchema = withProfile(environmentAnswerSchema);
export const profileDeletedAnswerSchema = environmentDeletedAnswerSchema.extend({
  message: z.literal("Profile deleted"),
});
export const profileBrowserDataUploadedAnswerSchema = withProfile(browserDataUploadedAnswerSchema);
export const profileSavedVersionAnswerSchema = withProfile(savedVersionAnswerSchema);
export const profileMergedSaveAnswerSchema = withProfile(mergedSaveAnswerSchema);
