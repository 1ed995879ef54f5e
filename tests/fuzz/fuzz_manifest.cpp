// libFuzzer target: a POST /api/v1/runs body → parse_manifest, then the
// whole bundle (paths, TOML settings, templates, @file, children, lint); the
// same bytes also go through the TOML settings parser. Built and run by
// scripts/fuzz.sh, never by CMake or CI.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/run_definition.hpp"
#include "model/run_manifest.hpp"
#include "model/workflow/manifest_bundle.hpp"
#include "model/workflow/settings_layers.hpp"

using namespace fabro::model;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto m = parse_manifest(text)) {
    if (auto d = resolve_bundle(*m)) (void)parse_run_definition(to_json(*d));
  }
  (void)parse_settings_layer(text, "fuzz.toml");
  return 0;
}
