// Typed calls to the dancecoach API. Every shape comes from the generated OpenAPI types.
import type { components } from "./schema";

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

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { message?: string; detail?: unknown };
      if (typeof body.message === "string") message = body.message;
      else if (typeof body.detail === "string") message = body.detail;
    } catch {
      /* not JSON */
    }
    throw new ApiError(message, response.status);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function json(method: string, body: unknown): RequestInit {
  return { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

export const api = {
  references: () => request<Reference[]>("/api/references"),
  reference: (id: string) => request<Reference>(`/api/references/${id}`),
  deleteReference: (id: string) => request<void>(`/api/references/${id}`, { method: "DELETE" }),
  addSection: (id: string, section: Schemas["SectionCreate"]) =>
    request<Section>(`/api/references/${id}/sections`, json("POST", section)),
  deleteSection: (id: string, sectionId: string) =>
    request<void>(`/api/references/${id}/sections/${sectionId}`, { method: "DELETE" }),
  progress: (id: string) => request<ReferenceProgress>(`/api/references/${id}/progress`),
  createSession: (body: SessionCreate) => request<SessionCreated>("/api/sessions/create", json("POST", body)),
  session: (id: string) => request<SessionInfo>(`/api/sessions/${id}`),
  completeSection: (id: string, body: Schemas["CompleteSectionRequest"]) =>
    request<SectionReport>(`/api/sessions/${id}/complete-section`, json("POST", body)),
  finalize: (id: string) => request<SessionReport>(`/api/sessions/${id}/finalize`, { method: "POST" }),
  report: (id: string) => request<SessionReport>(`/api/sessions/${id}/report`),
  sectionReports: (id: string) => request<SectionReport[]>(`/api/sessions/${id}/sections`),
};

/** Upload a video with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function uploadReference(
  file: File,
  name: string,
  onProgress: (fraction: number) => void,
): Promise<ReferenceCreated> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("file", file);
    if (name) form.append("name", name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/references");
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
