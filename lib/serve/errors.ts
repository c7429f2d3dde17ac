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

/** The per-request time limit ran out (while queued or generating): 504, code "timeout". */
export const timeLimitExceeded = (seconds: number) =>
  new HttpError(504, `the request took longer than this server's time limit of ${seconds} s (--timeout)`, "server_error", null, "timeout");

/** The server's wait queue is full: 429, code "queue_full"; `retryAfter` [s] goes in Retry-After. */
export class QueueFull extends HttpError {
  constructor(readonly retryAfter: number, queued: number) {
    super(429, `the server is busy (${queued} requests waiting, the most it queues); retry after ${retryAfter} s`, "rate_limit_error", null, "queue_full");
  }
}
