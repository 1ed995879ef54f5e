#include "actors/store_factory.hpp"

#include "store/memory_run_store.hpp"
#include "store/pg_run_store.hpp"
#include "store/sqlite_run_store.hpp"

namespace fabro::actors {

store_factory sqlite_store_factory(std::string path) {
  return [path]() -> model::result<std::unique_ptr<store::run_store>> {
    auto s = store::sqlite_run_store::open(path);
    if (!s) return s.error();
    return std::unique_ptr<store::run_store>(std::move(*s));
  };
}

store_factory postgresql_store_factory(std::string url, uint64_t term) {
  return [url, term]() -> model::result<std::unique_ptr<store::run_store>> {
    auto s = store::pg_run_store::open(url);
    if (!s) return s.error();
    (*s)->fence(term);
    return std::unique_ptr<store::run_store>(std::move(*s));
  };
}

store_factory memory_store_factory() {
  auto data = std::make_shared<store::memory_run_data>();
  return [data]() -> model::result<std::unique_ptr<store::run_store>> {
    return std::unique_ptr<store::run_store>(new store::memory_run_store(data));
  };
}

}  // namespace fabro::actors
