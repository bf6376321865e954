import { testBlobStore } from "../src/conformance.js";
import { createMemoryBlobStore } from "../src/drivers/memory.js";
import { createEncryptedBlobStore } from "../src/encryption/encrypted-blob-store.js";
import { randomKeyring } from "./encryption/helpers.js";

testBlobStore({ name: "memory", open: async () => createMemoryBlobStore() });
testBlobStore({
  name: "encrypted over memory",
  open: async () => createEncryptedBlobStore(createMemoryBlobStore(), randomKeyring()),
});
