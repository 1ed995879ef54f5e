// A run's content-addressed blobs (POST|GET /api/v1/runs/{id}/blobs[/{id}],
// Fabro's writeRunBlob / readRunBlob): opaque bytes a worker stores and
// reads back by their SHA-256. Kept with the run's artifacts under the name
// "blobs/<id>" (so they are deleted with the run and never listed as a
// stage's artifact: model/run_artifacts.hpp lists only "stages/…"). Pure.
#pragma once

#include <string>
#include <string_view>

namespace fabro::model {

// 400 and 404 texts.
inline constexpr const char* kBadBlobId = "Invalid blob ID: 64 lowercase hex digits (SHA-256).";
inline constexpr const char* kBlobNotFound = "Blob not found.";
inline constexpr const char* kMultipartBlob =
    "Multipart uploads are not accepted; send the blob as application/octet-stream.";

// The blob id of `bytes`: their SHA-256 as 64 lowercase hex digits.
std::string blob_id(std::string_view bytes);

// Whether `id` is 64 lowercase hex digits.
bool is_blob_id(std::string_view id);

// The stored artifact name of blob `id`.
std::string blob_artifact_name(std::string_view id);

}  // namespace fabro::model
