/**
 * @webrun/api-contract — the webrun API's request and response schemas
 * (zod) and the codes of its error answers, shared by the server (which
 * validates, serialises and documents with them) and its clients (which
 * validate answers and take their types from them). No runtime but zod.
 */
export { isoDateTime, objectId } from "./common.js";
export {
  stateDiffSchema,
  type VersionDiff,
  versionDiffAnswerSchema,
  versionDiffParamsSchema,
  versionDiffSchema,
} from "./diff.js";
export {
  cookieExpirySchema,
  DESCRIPTION_MAX,
  ENVIRONMENT_NAME_REQUIRED,
  type Environment,
  type EnvironmentInput,
  type EnvironmentUpdate,
  environmentAnswerSchema,
  environmentCreatedAnswerSchema,
  environmentDeletedAnswerSchema,
  environmentDetailAnswerSchema,
  environmentInputSchema,
  environmentListAnswerSchema,
  environmentParamsSchema,
  environmentSchema,
  environmentUpdateSchema,
  type FileSummary,
  fileSummarySchema,
  loginExpirySchema,
  NAME_MAX,
  type VersionInfo,
  type VersionSummary,
  versionInfoSchema,
  versionSummarySchema,
} from "./environments.js";
export { type ApiErrorCode, apiErrorCodes, type ErrorAnswer, errorAnswerSchema } from "./errors.js";
export {
  environmentFileParamsSchema,
  fileDeletedAnswerSchema,
  fileListAnswerSchema,
  fileParamsSchema,
  filesUploadedAnswerSchema,
  type UploadedFile,
  uploadedFileSchema,
} from "./files.js";
export { liveAnswerSchema, readyAnswerSchema } from "./health.js";
export {
  profileAnswerSchema,
  profileBrowserDataUploadedAnswerSchema,
  profileCreatedAnswerSchema,
  profileDeletedAnswerSchema,
  profileDetailAnswerSchema,
  profileListAnswerSchema,
  profileMergedSaveAnswerSchema,
  profileSavedVersionAnswerSchema,
} from "./profiles.js";
export {
  browserDataUploadedAnswerSchema,
  downloadLinkAnswerSchema,
  downloadParamsSchema,
  type MergedSave,
  mergedSaveAnswerSchema,
  mergedSaveSchema,
  restoreParamsSchema,
  savedVersionAnswerSchema,
  stateDocumentSchema,
  stateQuerySchema,
  stateSaveQuerySchema,
  versionListAnswerSchema,
} from "./state.js";
