import { createMemoryBlobStore } from "../../src/blob-store/drivers/memory.js";
import { describeBlobStoreConformance } from "./conformance.js";

describeBlobStoreConformance("memory", async () => createMemoryBlobStore());
