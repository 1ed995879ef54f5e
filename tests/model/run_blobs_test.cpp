// Blob ids are SHA-256 hex (model/run_blobs.hpp), as Fabro's RunBlobId.
#include <catch2/catch.hpp>

#include "model/run_artifacts.hpp"
#include "model/run_blobs.hpp"

using namespace fabro::model;

TEST_CASE("a blob's id is the SHA-256 of its bytes and only such ids are accepted", "[model]") {
  CHECK(blob_id("hello") == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  CHECK(blob_id("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(is_blob_id(blob_id(std::string(1 << 20, 'x'))));
  CHECK_FALSE(is_blob_id("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824"));
  CHECK_FALSE(is_blob_id("2cf24dba"));
  CHECK_FALSE(is_blob_id(std::string(64, 'g')));
  CHECK_FALSE(is_blob_id("../../etc/passwd"));
}

TEST_CASE("blobs are kept beside artifacts but never listed as one", "[model]") {
  std::vector<stored_artifact> stored = {{blob_artifact_name(blob_id("x")), 1},
                                         {"stages/work@1/attempt-1/stdout", 3}};
  CHECK(run_artifacts_json(stored).find("blobs") == std::string::npos);
  CHECK(run_artifacts_json(stored).find("attempt-1/stdout") != std::string::npos);
}
