import { describe, expect, it } from "vitest";
import {
  environmentInputSchema,
  environmentUpdateSchema,
  errorAnswerSchema,
  profileCreatedAnswerSchema,
  profileSavedVersionAnswerSchema,
  savedVersionAnswerSchema,
} from "../src/index.js";

const environment = {
  _id: "683a1f2e4b0c1d2e3f4a5b6c",
  userId: "alice",
  name: "work",
  description: "",
  status: "ready",
  createdAt: "2026-12-05T11:00:00.000Z",
  updatedAt: "2026-12-05T11:00:00.000Z",
  blobSize: null,
  blobUploadedAt: null,
  lastUsedAt: null,
  usageCount: 0,
  version: 1,
  summary: null,
};

describe("the API contract", () => {
  it("says the contract's sentence for a missing or empty name, and trims names", () => {
    for (const body of [{}, { name: "" }, { name: "   " }, { description: "no name" }]) {
      const result = environmentInputSchema.safeParse(body);
      expect(result.error?.issues[0]?.message).toBe("Environment name is required");
    }
    expect(environmentInputSchema.parse({ name: "  work  " })).toEqual({ name: "work" });
    expect(environmentInputSchema.safeParse({ name: "x".repeat(101) }).success).toBe(false);
    expect(environmentUpdateSchema.parse({})).toEqual({});
  });

  it("answers the legacy profile routes with `profile` in place of `environment`, and their own message", () => {
    expect(
      profileCreatedAnswerSchema.parse({ success: true, message: "Profile created", profile: environment }),
    ).toMatchObject({ profile: { _id: environment._id } });
    expect(
      profileCreatedAnswerSchema.safeParse({
        success: true,
        message: "Environment created",
        profile: environment,
      }).success,
    ).toBe(false);
    const saved = {
      success: true,
      version: 1,
      bytesUploaded: 10,
      summary: {
        cookies: 0,
        cookieDomains: [],
        origins: [],
        originCount: 0,
        extensions: [],
        stateBytes: 10,
        extensionBytes: 0,
        profileFiles: 0,
        profileBytes: 0,
        totalBytes: 10,
      },
    };
    expect(savedVersionAnswerSchema.safeParse({ ...saved, environment }).success).toBe(true);
    expect(profileSavedVersionAnswerSchema.safeParse({ ...saved, profile: environment }).success).toBe(true);
    expect(profileSavedVersionAnswerSchema.safeParse({ ...saved, environment }).success).toBe(false);
  });

  it("describes every error answer with a message and a code", () => {
    expect(errorAnswerSchema.safeParse({ success: false, message: "Environment not found" }).success).toBe(
      false,
    );
    expect(
      errorAnswerSchema.parse({
        success: false,
        message: "Environment not found",
        code: "ENVIRONMENT_NOT_FOUND",
      }),
    ).toEqual({ success: false, message: "Environment not found", code: "ENVIRONMENT_NOT_FOUND" });
  });
});
