/**
 * OpenAI-style error answers: status + `{"error": {"message", "type", "param", "code"}}`.
 */
import type { ErrorBody } from "../agents/openai/types";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** "invalid_request_error", "authentication_error", "not_found_error", "server_error". */
    readonly type: string = status >= 500 ? "server_error" : "invalid_request_error",
    /** The request field at fault, e.g. "messages[2].role". */
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "HttpError";
  }

  body(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new HttpError(400, message, "invalid_request_error", param, code);
