// Public: model layer (installed for embedders under include/fabro/).
// A run's artifacts as Fabro's clients see them (GET /api/v1/runs/{id}/
// artifacts, /stages/{stageId}/artifacts[/download], POST of an upload).
//
// The store names each artifact "stages/<stage_id>/<path>": a command
// stage's captured output is "stages/<stage_id>/attempt-<n>[/<node>]/stdout"
// and ".../stderr" (actors/run.cpp); an uploaded file keeps the relative
// path it was uploaded with. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.hpp"

namespace fabro::model {

struct stored_artifact {
  std::string name;  // "stages/<stage_id>/<path>"
  uint64_t size = 0;
};

// 400 texts.
inline constexpr const char* kBadFilename =
    "Invalid filename: a relative path without '..', '.', empty or absolute parts.";
inline constexpr const char* kMissingFilename = "Missing filename.";
inline constexpr const char* kBadStageId = "Invalid stage ID.";
inline constexpr const char* kArtifactNotFound = "Artifact not found.";
inline constexpr const char* kMultipartArtifact =
    "Multipart uploads are not accepted; send the file as application/octet-stream.";

// Fails with errc::invalid_request (kBadFilename) unless `path` is a
// relative path of 1..1024 bytes whose parts are neither empty, "." nor
// "..", without NUL or backslash.
result<done> check_artifact_path(std::string_view path);
// Fails with errc::invalid_request (kBadStageId) unless `stage_id` is
// 1..256 bytes without '/', NUL or backslash.
result<done> check_stage_id(std::string_view stage_id);

// The stored name of `path` uploaded for stage `stage_id`.
std::string artifact_name(const std::string& stage_id, const std::string& path);

// Fabro's RunArtifactListResponse: {"data":[{stage_id, node_slug (the
// stage id before '@'), retry (attempt n counts as retry n-1; 0 for an
// upload), relative_path (under the stage), size}]}.
std::string run_artifacts_json(const std::vector<stored_artifact>& artifacts);
// Fabro's ArtifactListResponse of stage `stage_id`: {"data":[{filename}]},
// each filename relative to the stage.
std::string stage_artifacts_json(const std::vector<stored_artifact>& artifacts,
                                 const std::string& stage_id);

}  // namespace fabro::model
