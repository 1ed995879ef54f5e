// Public: actors layer (installed for embedders under include/fabro/).
// How actors get their own store instance: the journal opens one for
// writing, the reader one for reading, both on the same data (STYLE §10:
// actors never name a concrete store).
#pragma once

#include <functional>
#include <memory>

#include "model/result.hpp"
#include "store/run_store.hpp"

namespace fabro::actors {

using store_factory = std::function<model::result<std::unique_ptr<store::run_store>>()>;

// Instances over one SQLite file at `path`.
store_factory sqlite_store_factory(std::string path);
// Instances each with their own connection to the PostgreSQL database at
// `url` (postgresql://…), which other servers may share (issue 18); with a
// `term`, fenced by it (store::pg_run_store::fence).
store_factory postgresql_store_factory(std::string url, uint64_t term = 0);
// Instances over one shared in-memory data set (tests, embedders).
store_factory memory_store_factory();

}  // namespace fabro::actors
