// Fabro's run board (GET /api/v1/boards/runs, reference §1.2): the columns
// runs are shown in, and the board's JSON. Only runs whose status has a
// column are on the board: running → working, paused → pending,
// completed → merge; every other status is left off. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/run_record.hpp"

namespace fabro::model {

// The board column (Fabro's BoardColumn) of a run in `s`; nullopt = not shown.
std::optional<std::string> board_column(run_status s);

// Every status that has a column.
std::vector<run_status> board_statuses();

// Fabro's PaginatedRunList of `runs` (each with a column): RunListItem
// {id, repository {name: the last component of host_repo_path}, title
// (the goal, else the workflow name), workflow {slug: the workflow name},
// status (the column), created_at}, and meta.has_more.
std::string board_page_json(const std::vector<run_record>& runs, bool has_more);

}  // namespace fabro::model
