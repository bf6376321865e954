import { z } from "zod";

export const liveAnswerSchema = z.object({ status: z.literal("ok") });
export const readyAnswerSchema = z.object({ status: z.literal("ready") });
