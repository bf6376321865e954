/**
 * @webrun/file-upload — streaming `/files/upload` into a BlobStore: files
 * that tasks reference by `fileId`, attached to environments or swept as
 * orphans after an hour.
 */

export { attachmentDisposition } from "./content-disposition.js";
export type { EnvironmentDirectory, FilesContext } from "./context.js";
export { defaultOrphanMaxAgeMs } from "./context.js";
export { DRAIN_LIMIT_MS, drainRequest } from "./drain-request.js";
export { type FileUploadError, type FileUploadErrorCode, fileErrors, uploadErrors } from "./errors.js";
export { sanitizeFileName } from "./file-name.js";
export {
  attachedFiles,
  deleteEnvironmentFiles,
  deleteFile,
  type FileDownload,
  getFile,
  listEnvironmentFiles,
  openFileDownload,
  promoteFiles,
} from "./file-operations.js";
export type { FileRecord, FileSummary } from "./file-record.js";
export { createFileService, type FileService, type FileServiceOptions } from "./file-service.js";
export { fileKeys } from "./keys.js";
export { defaultUploadLimits, formatBytes, type UploadLimits } from "./limits.js";
export { type SweepOptions, type SweepReport, sweepOrphans } from "./orphan-sweep.js";
export { parseRangeHeader } from "./range-header.js";
export { receiveSingleFile, type SingleFileInfo, type SingleFileOptions } from "./single-file-upload.js";
export { type StoreFileInput, type StoreFileOptions, storeFile } from "./store-file.js";
export { handleUpload, type UploadedFile, type UploadOptions, type UploadResult } from "./upload-handler.js";
