// ManifestPath (engine reference §5.2): the logical paths that key a
// manifest's `workflows` and `files` maps, relative to the client's cwd.
//
// Normal form: segments joined by '/', `.` and empty segments dropped, `a/..`
// folded, leading `..` kept (a file outside the cwd). Absolute paths and
// paths starting with `~` are not ManifestPaths. Used by the manifest bundle
// to look up the target, child workflows and `@file` references. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fabro::model {

// The normal form of `path`; nothing when it is absolute, starts with `~`,
// or normalizes to nothing ("", ".", "a/..").
std::optional<std::string> normalize_manifest_path(std::string_view path);

// The directory part of a normalized path: "a/b/w.fabro" → "a/b",
// "w.fabro" → "".
std::string manifest_dir(std::string_view path);

// `reference` joined to directory `dir` (a normalized ManifestPath or ""),
// normalized; nothing when the result is not a ManifestPath (an absolute or
// `~` reference, or one that folds to nothing).
std::optional<std::string> join_manifest_path(std::string_view dir,
                                              std::string_view reference);

// `path` relative to directory `dir` (both normalized): "a/p/x.md" from "a"
// is "p/x.md"; "s/x.md" from "a" is "../s/x.md".
std::string relative_manifest_path(std::string_view dir, std::string_view path);

}  // namespace fabro::model
