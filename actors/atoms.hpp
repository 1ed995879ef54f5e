// Public: actors layer (installed for embedders under include/fabro/).
// The atoms of every actor interface (CAF 0.17: at most 10 characters).
#pragma once

#include <caf/atom.hpp>

namespace fabro::actors {

using create_atom = caf::atom_constant<caf::atom("create")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using events_atom = caf::atom_constant<caf::atom("events")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using unfinished_atom = caf::atom_constant<caf::atom("unfinish")>;
using manifest_atom = caf::atom_constant<caf::atom("manifest")>;
using recover_atom = caf::atom_constant<caf::atom("recover")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using answer_atom = caf::atom_constant<caf::atom("answer")>;
using questions_atom = caf::atom_constant<caf::atom("questions")>;
using definition_atom = caf::atom_constant<caf::atom("definition")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using pgid_atom = caf::atom_constant<caf::atom("pgid")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using control_atom = caf::atom_constant<caf::atom("control")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using checkpoint_atom = caf::atom_constant<caf::atom("checkpt")>;
using usage_atom = caf::atom_constant<caf::atom("usage")>;
using board_atom = caf::atom_constant<caf::atom("board")>;
using artifacts_atom = caf::atom_constant<caf::atom("artifacts")>;
using artifact_atom = caf::atom_constant<caf::atom("artifact")>;
using state_atom = caf::atom_constant<caf::atom("state")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using stages_atom = caf::atom_constant<caf::atom("stages")>;
using turns_atom = caf::atom_constant<caf::atom("turns")>;
using billing_atom = caf::atom_constant<caf::atom("billing")>;
using join_atom = caf::atom_constant<caf::atom("join")>;

}  // namespace fabro::actors
