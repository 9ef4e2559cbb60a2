// Calls to the dancecoach API through openapi-fetch, typed by the schema generated from the
// server's OpenAPI document (scripts/build_web.sh): tsc checks every path, parameter and body.
import createClient, { type ClientPathsWithMethod, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

type Schemas = components["schemas"];
export type Reference = Schemas["ReferencePublic"];
export type ReferenceCreated = Schemas["ReferenceCreated"];
export type Section = Schemas["SectionPublic"];
export type SessionCreate = Schemas["SessionCreate"];
export type SessionCreated = Schemas["SessionCreated"];
export type SessionInfo = Schemas["SessionPublic"];
export type SectionReport = Schemas["SectionReport"];
export type SessionReport = Schemas["SessionReport"];
export type ProblemSegment = Schemas["ProblemSegmentPublic"];
export type FeedbackItem = Schemas["FeedbackItemPublic"];
export type Analytics = Schemas["AnalyticsPublic"];
export type FrameResult = Schemas["FrameResult"];
export type ReferenceProgress = Schemas["ReferenceProgress"];
export type LandmarkPoint = Schemas["LandmarkPublic"];
export type Protocol = Schemas["ProtocolPublic"];
export type DataDeleted = Schemas["DataDeleted"];
export type Account = Schemas["AccountPublic"];
export type Beats = Schemas["BeatsPublic"];
export type EightMastery = Schemas["EightMasteryPublic"];
export type RoutineMastery = Schemas["RoutineMasteryPublic"];
export type Dancers = Schemas["DancersPublic"];
export type Dancer = Schemas["DancerPublic"];

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Fired when the server says the sign-in is missing or over (the app then shows its login page). */
export const SIGNED_OUT_EVENT = "dancecoach:signed-out";

const LOGIN_PATH = "/api/auth/login" satisfies ClientPathsWithMethod<typeof http, "post">;

const signedOut: Middleware = {
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && schemaPath !== LOGIN_PATH) {
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    }
  },
};

/** The typed client: `http.GET("/api/references/{reference_id}", { params: { path: { ... } } })`. */
export const http = createClient<paths>();
http.use(signedOut);

/** The server's error text: `{"detail", "code"}` (or `{"message"}`), else the HTTP status. */
function errorMessage(error: unknown, response: Response): string {
  if (error !== null && typeof error === "object") {
    const body = error as { message?: unknown; detail?: unknown };
    if (typeof body.message === "string") return body.message;
    if (typeof body.detail === "string") return body.detail;
  }
  return `${response.status} ${response.statusText}`;
}

/** The data of a successful reply; an ApiError with the server's message otherwise. */
async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(errorMessage(error, response), response.status);
  return data as T;
}

type Id = string;
const reference = (reference_id: Id) => ({ params: { path: { reference_id } } });
const session = (session_id: Id) => ({ params: { path: { session_id } } });

export const api = {
  references: () => unwrap(http.GET("/api/references")),
  reference: (id: Id) => unwrap(http.GET("/api/references/{reference_id}", reference(id))),
  deleteReference: (id: Id) => unwrap(http.DELETE("/api/references/{reference_id}", reference(id))),
  addSection: (id: Id, body: Schemas["SectionCreate"]) =>
    unwrap(http.POST("/api/references/{reference_id}/sections", { ...reference(id), body })),
  deleteSection: (id: Id, sectionId: Id) =>
    unwrap(
      http.DELETE("/api/references/{reference_id}/sections/{section_id}", {
        params: { path: { reference_id: id, section_id: sectionId } },
      }),
    ),
  dancers: (id: Id) => unwrap(http.GET("/api/references/{reference_id}/dancers", reference(id))),
  chooseDancer: (id: Id, dancerX: number | null) =>
    unwrap(http.PUT("/api/references/{reference_id}/dancer", { ...reference(id), body: { dancer_x: dancerX } })),
  beats: (id: Id) => unwrap(http.GET("/api/references/{reference_id}/beats", reference(id))),
  shiftCountOne: (id: Id, downbeatShift: number) =>
    unwrap(
      http.PATCH("/api/references/{reference_id}/beats", {
        ...reference(id),
        body: { downbeat_shift: downbeatShift },
      }),
    ),
  eights: (id: Id) => unwrap(http.GET("/api/me/references/{reference_id}/eights", reference(id))),
  recordEight: (id: Id, eight: number, body: Schemas["EightAttempt"]) =>
    unwrap(
      http.PUT("/api/me/references/{reference_id}/eights/{eight}", {
        params: { path: { reference_id: id, eight } },
        body,
      }),
    ),
  routinesMastery: () => unwrap(http.GET("/api/me/mastery")),
  progress: (id: Id) => unwrap(http.GET("/api/references/{reference_id}/progress", reference(id))),
  createSession: (body: SessionCreate) => unwrap(http.POST("/api/sessions/create", { body })),
  session: (id: Id) => unwrap(http.GET("/api/sessions/{session_id}", session(id))),
  completeSection: (id: Id, body: Schemas["CompleteSectionRequest"]) =>
    unwrap(http.POST("/api/sessions/{session_id}/complete-section", { ...session(id), body })),
  finalize: (id: Id) => unwrap(http.POST("/api/sessions/{session_id}/finalize", session(id))),
  report: (id: Id) => unwrap(http.GET("/api/sessions/{session_id}/report", session(id))),
  sectionReports: (id: Id) => unwrap(http.GET("/api/sessions/{session_id}/sections", session(id))),
  protocol: () => unwrap(http.GET("/api/protocol")),
  deleteSession: (id: Id) => unwrap(http.DELETE("/api/sessions/{session_id}", session(id))),
  deleteMyData: () => unwrap(http.DELETE("/api/me/data")),
  me: () => unwrap(http.GET("/api/auth/me")),
  login: (username: string, password: string) =>
    unwrap(http.POST(LOGIN_PATH, { body: { username, password } })),
  logout: () => unwrap(http.POST("/api/auth/logout")),
};

/** Multipart fields of an upload, as the schema states them (`file` is sent as the File). */
type UploadFields = Omit<
  NonNullable<paths["/api/references"]["post"]["requestBody"]>["content"]["multipart/form-data"],
  "file"
>;
const UPLOAD_PATH = "/api/references" satisfies ClientPathsWithMethod<typeof http, "post">;

/** Upload a video with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function uploadReference(
  file: File,
  name: string,
  onProgress: (fraction: number) => void,
): Promise<ReferenceCreated> {
  const fields: UploadFields = name ? { name } : {};
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("file", file);
    for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
    const xhr = new XMLHttpRequest();
    xhr.open("POST", UPLOAD_PATH);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: { detail?: string } & Partial<ReferenceCreated> = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* keep empty */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as ReferenceCreated);
      else reject(new ApiError(body.detail ?? `Upload failed (${xhr.status})`, xhr.status));
    };
    xhr.onerror = () => reject(new ApiError("Upload failed: the server could not be reached.", 0));
    xhr.send(form);
  });
}

export type RecordingKept = Schemas["RecordingKept"];

/** Keep the page's own webcam recording (browser pose mode) on the server, when the learner asks. */
export async function keepRecording(sessionId: string, recording: Blob): Promise<RecordingKept> {
  const form = new FormData();
  form.append("file", recording, recording.type.includes("mp4") ? "recording.mp4" : "recording.webm");
  const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/recording`, { method: "POST", body: form });
  const body = (await response.json().catch(() => ({}))) as { detail?: string } & Partial<RecordingKept>;
  if (!response.ok) throw new ApiError(body.detail ?? `Upload failed (${response.status})`, response.status);
  return body as RecordingKept;
}
