import { z } from "zod";
import { checkDomainPattern } from "./domain-pattern.js";
import { opaqueIdSchema } from "./ids.js";
import { secretsSchema } from "./secrets-schema.js";
import { pickKnown, strictObject } from "./strict-object.js";
import { multiLineString, singleLineString } from "./text.js";

/** Task limits. The contract fixes maxDuration's; the token maxima are ours (see README). */
export const taskLimits = {
  maxDurationMs: 300_000,
  defaultInputTokens: 100_000,
  maxInputTokens: 10_000_000,
  defaultOutputTokens: 100_000,
  maxOutputTokens: 1_000_000,
  promptCharacters: 100_000,
  avoidDomains: 100,
  files: 100,
  outputSchemaBytes: 65_536,
} as const;

export const outputTypes = ["text", "structured_json", "structured_csv"] as const;

function wholeNumber(field: string, max: number, defaultValue: number, unit = "") {
  const message = `${field} must be a whole number${unit} from 1 to ${max}`;
  return z
    .number({ error: message })
    .int({ message })
    .min(1, { message })
    .max(max, { message })
    .default(defaultValue);
}

function httpUrl(field: string) {
  return singleLineString(field).transform((value, ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(value.trim());
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      ctx.issues.push({ code: "custom", input: value, message: `${field} must be an http or https URL` });
      return z.NEVER;
    }
    if (url.username !== "" || url.password !== "") {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: `${field} must not include credentials; use secrets`,
      });
      return z.NEVER;
    }
    return url.href;
  });
}

/** Domains the agent must not visit: `example.com` or `*.example.com`, lowercased and deduplicated. */
const avoidDomainsSchema = z
  .array(singleLineString("avoidDomains entries", { maxLength: 255 }), {
    error: "avoidDomains must be an array of domains",
  })
  .max(taskLimits.avoidDomains, {
    message: `avoidDomains may list at most ${taskLimits.avoidDomains} domains`,
  })
  .transform((domains, ctx) => {
    const normalised: string[] = [];
    domains.forEach((domain, index) => {
      const checked = checkDomainPattern(domain, "avoidDomains entries");
      if (checked.ok) normalised.push(checked.pattern);
      else ctx.issues.push({ code: "custom", input: domain, path: [index], message: checked.message });
    });
    return [...new Set(normalised)];
  });

/** File ids (as returned by the Files API), deduplicated in order. */
const filesSchema = z
  .array(opaqueIdSchema("file ids"), { error: "files must be an array of file ids" })
  .max(taskLimits.files, { message: `files may list at most ${taskLimits.files} file ids` })
  .transform((ids) => [...new Set(ids)]);

/** A JSON Schema describing the structured output; an object, at most 64 KiB as JSON. */
const outputSchemaSchema = z
  .record(z.string(), z.unknown(), { error: "outputSchema must be a JSON Schema object" })
  .refine((schema) => JSON.stringify(schema).length <= taskLimits.outputSchemaBytes, {
    message: `outputSchema must be at most ${taskLimits.outputSchemaBytes} bytes as JSON`,
  });

const sharedTaskFields = {
  maxDuration: wholeNumber(
    "maxDuration",
    taskLimits.maxDurationMs,
    taskLimits.maxDurationMs,
    " of milliseconds",
  ),
  maxInputTokens: wholeNumber("maxInputTokens", taskLimits.maxInputTokens, taskLimits.defaultInputTokens),
  maxOutputTokens: wholeNumber("maxOutputTokens", taskLimits.maxOutputTokens, taskLimits.defaultOutputTokens),
  avoidDomains: avoidDomainsSchema.optional(),
  terminateOnCompletion: z.boolean({ error: "terminateOnCompletion must be true or false" }).optional(),
  secrets: secretsSchema.optional(),
  files: filesSchema.optional(),
  outputType: z
    .enum(outputTypes, { error: `outputType must be one of: ${outputTypes.join(", ")}` })
    .default("text"),
  outputSchema: outputSchemaSchema.optional(),
};

const taskFields = {
  prompt: multiLineString("prompt", { maxLength: taskLimits.promptCharacters }),
  startingUrl: httpUrl("startingUrl").optional(),
  ...sharedTaskFields,
};

const initialTaskFields = {
  taskDetails: multiLineString("taskDetails", { maxLength: taskLimits.promptCharacters }),
  startingPoint: httpUrl("startingPoint").optional(),
  ...sharedTaskFields,
};

type OutputFields = {
  outputType: (typeof outputTypes)[number];
  outputSchema?: Record<string, unknown> | undefined;
};

/** A structured output needs a schema to follow; a text output has none (refused rather than silently dropped). */
function checkOutput(task: OutputFields, ctx: z.RefinementCtx): void {
  if (task.outputType !== "text" && task.outputSchema === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["outputSchema"],
      message: `outputSchema is required when outputType is ${task.outputType}`,
    });
  }
  if (task.outputType === "text" && task.outputSchema !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["outputSchema"],
      message:
        "outputSchema applies only to outputType structured_json or structured_csv; remove it or set outputType",
    });
  }
}

function normaliseTask<T extends z.output<z.ZodObject<typeof sharedTaskFields>>>(
  prompt: string,
  startingUrl: string | undefined,
  rest: T,
) {
  const shared = pickKnown(rest, sharedTaskFields) as z.output<z.ZodObject<typeof sharedTaskFields>>;
  return { prompt, ...(startingUrl === undefined ? {} : { startingUrl }), ...shared };
}

/** The current spelling, `task: {prompt, startingUrl, ...}`. */
export const taskSchema = strictObject(taskFields, {
  foreignFields: {
    taskDetails: "taskDetails is the initialTask spelling; in task use prompt",
    startingPoint: "startingPoint is the initialTask spelling; in task use startingUrl",
  },
})
  .superRefine(checkOutput)
  .transform((task) => normaliseTask(task.prompt, task.startingUrl, task));

/** The older spelling, `initialTask: {taskDetails, startingPoint, ...}`, normalised to the same shape as `task`. */
export const initialTaskSchema = strictObject(initialTaskFields, {
  foreignFields: {
    prompt: "prompt is the task spelling; in initialTask use taskDetails",
    startingUrl: "startingUrl is the task spelling; in initialTask use startingPoint",
  },
})
  .superRefine(checkOutput)
  .transform((task) => normaliseTask(task.taskDetails, task.startingPoint, task));

/** A validated, normalised task. */
export type Task = z.output<typeof taskSchema>;
