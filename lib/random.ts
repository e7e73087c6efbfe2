// Random secret values, made where they are used (never an input of anything).
import { randomBytes } from "node:crypto";

/** 32 random bytes as URL-safe base64: no shell, URL or YAML quoting ever needed. */
export const randomPassword = () => randomBytes(32).toString("base64url");
