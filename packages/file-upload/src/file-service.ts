import type { IncomingMessage } from "node:http";
import type { FilesContext } from "./context.js";
import {
  attachedFiles,
  deleteEnvironmentFiles,
  deleteFile,
  type FileDownload,
  getFile,
  listEnvironmentFiles,
  openFileDownload,
  promoteFiles,
} from "./file-operations.js";
import type { FileRecord, FileSummary } from "./file-record.js";
import type { UploadLimits } from "./limits.js";
import { type SweepOptions, type SweepReport, sweepOrphans } from "./orphan-sweep.js";
import { type StoreFileInput, storeFile } from "./store-file.js";
import { handleUpload, type UploadedFile, type UploadResult } from "./upload-handler.js";

export interface FileServiceOptions extends FilesContext {
  limits?: Partial<UploadLimits>;
}

/** Every file operation bound to one store, environment directory and configuration. */
export interface FileService {
  handleUpload(request: IncomingMessage, userId: string): Promise<UploadResult>;
  /** One file from a stream (no HTTP request), e.g. a session's download; see `storeFile`. */
  storeFile(userId: string, input: StoreFileInput): Promise<UploadedFile>;
  getFile(userId: string, fileId: string): Promise<FileRecord | undefined>;
  openFileDownload(userId: string, fileId: string, rangeHeader?: string): Promise<FileDownload>;
  listEnvironmentFiles(userId: string, environmentId: string): Promise<FileSummary[]>;
  /** `listEnvironmentFiles` for a caller that has just read the environment itself: no second existence check. */
  attachedFiles(userId: string, environmentId: string): Promise<FileSummary[]>;
  deleteFile(userId: string, environmentId: string, fileId: string): Promise<void>;
  deleteEnvironmentFiles(userId: string, environmentId: string): Promise<number>;
  promoteFiles(userId: string, environmentId: string, fileIds: readonly string[]): Promise<FileSummary[]>;
  sweepOrphans(options?: SweepOptions): Promise<SweepReport>;
}

/** Binds the file operations to one configuration, for the API app and the session orchestrator. */
export function createFileService(options: FileServiceOptions): FileService {
  const context: FilesContext = options;
  return {
    handleUpload: (request, userId) => handleUpload(request, { ...options, userId }),
    storeFile: (userId, input) => storeFile(options, userId, input),
    getFile: (userId, fileId) => getFile(context, userId, fileId),
    openFileDownload: (userId, fileId, rangeHeader) => openFileDownload(context, userId, fileId, rangeHeader),
    listEnvironmentFiles: (userId, environmentId) => listEnvironmentFiles(context, userId, environmentId),
    attachedFiles: (userId, environmentId) => attachedFiles(context, userId, environmentId),
    deleteFile: (userId, environmentId, fileId) => deleteFile(context, userId, environmentId, fileId),
    deleteEnvironmentFiles: (userId, environmentId) => deleteEnvironmentFiles(context, userId, environmentId),
    promoteFiles: (userId, environmentId, fileIds) => promoteFiles(context, userId, environmentId, fileIds),
    sweepOrphans: (sweep) => sweepOrphans(context, sweep),
  };
}
