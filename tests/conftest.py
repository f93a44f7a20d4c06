"""Shared fixtures for the sketchbook tests."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
MOTIFS = sorted((REPO / "motifs").glob("*.tn"))

# The quick subset, `python -m pytest -q -m "not slow"` (under 30 s), leaves out the tests marked slow here, in this
# one place (by path and name: the test files carry no marks). Slow: external programs (engravers, chromium,
# fluidsynth, pip, subprocesses), hypothesis over generated tunes, and whatever took over about 0.35 s in a measured
# run. Every test module but the three wholly slow ones keeps its quicker tests; `python -m pytest -q` runs them all.
# tests/test_architecture.py checks that every name here is a real test.
SLOW_MODULES = {  # paths under tests/
    "formats/test_engravers.py",
    "test_benchmarks_smoke.py",
    "test_book_browser.py",
}
SLOW = {  # module under tests/: its slow tests, all their parameters
    "formats/test_musicxml.py": {
        "test_random_pieces_are_valid",
        "test_random_pieces_read_back_the_same",
    },
    "formats/test_notation.py": {
        "test_a_reader_of_the_accidentals_plays_every_pitch",
    },
    "formats/test_readable_scores.py": {
        "test_bundled_and_generated_scores_read_back_the_same_notes_in_music21",
        "test_every_notehead_reads_within_four_ledger_lines",
        "test_spelling_holds_no_avoidable_letter_clash",
        "test_titles_name_the_sketch_and_the_variation_once",
    },
    "formats/test_safe_xml.py": {
        "test_agrees_with_music21_reading_the_whole_score",
        "test_an_element_flood_is_refused",
    },
    "formats/test_smf.py": {
        "test_agrees_with_mido",
    },
    "formats/test_spelling.py": {
        "test_random_chords_hold_no_letter_clash_a_speller_could_avoid",
        "test_scale_notes_take_the_key_signatures_letters",
    },
    "formats/test_tinynotation.py": {
        "test_agrees_with_music21",
    },
    "test_accompany.py": {
        "test_notes_struck_together_fit_in_one_hand",
        "test_the_left_hand_stays_below_the_melody_and_inside_its_spans",
    },
    "test_api.py": {
        "test_the_cli_is_built_on_the_api_and_writes_the_same_bytes",
        "test_the_notebook_snippet_shows_and_writes_the_sketch",
    },
    "test_audio.py": {
        "test_render_straight_to_a_compressed_file_at_a_common_peak",
    },
    "test_book.py": {
        "test_a_large_books_pages_are_byte_identical_when_written_again",
        "test_an_unreadable_score_or_midi_spoils_only_its_own_card",
        "test_audio_players_prefer_compressed_sources",
        "test_book_is_byte_identical_when_rebuilt",
        "test_book_shows_every_sketch_with_scores_rolls_links_and_parameters",
        "test_book_with_audio_renders_missing_audio_compressed_at_a_common_peak",
        "test_chromium_sees_scores_players_and_links",
        "test_folder_without_sketch_json_still_shows_its_files",
        "test_numbers_show_as_people_write_them",
        "test_sketches_sort_in_natural_order",
        "test_the_tempo_path_reads_in_the_order_played",
    },
    "test_cli.py": {
        "test_a_midi_motif_file",
        "test_bad_input_is_one_line_exit_2_and_writes_nothing",
        "test_bare_develop_writes_the_default_motif_into_output",
        "test_develop_writes_five_files_and_summarises_them",
        "test_existing_files_are_kept_without_force_and_replaced_with_it",
        "test_inline_tinynotation_with_a_name",
    },
    "test_cli_book.py": {
        "test_book_writes_the_page",
        "test_render_to_a_folder_and_to_flac",
        "test_render_writes_a_wav_beside_the_midi",
    },
    "test_cli_input.py": {
        "test_music21_reads_the_printed_tinynotation_alike",
        "test_show_prints_what_develop_reads_and_it_pastes_back",
        "test_show_then_develop_the_file_it_wrote",
        "test_the_readme_keyboard_path_runs_as_written",
    },
    "test_compose.py": {
        "test_any_motif_grows_into_a_well_formed_piece",
        "test_bars_sets_the_exact_length",
    },
    "test_contract.py": {
        "test_generated_midi_motifs_keep_the_contract",
        "test_generated_musicxml_motifs_keep_the_contract",
        "test_generated_tinynotation_motifs_keep_the_contract",
        "test_midi_is_a_piano_file_with_a_tempo_map",
        "test_motifs_found_by_hypothesis_keep_the_contract",
        "test_music21_reads_the_notes_we_wrote",
        "test_photograph_ornaments_are_notated_and_played",
        "test_score_is_a_titled_valid_piano_score",
        "test_the_skeleton_search_finds_no_motif_that_is_not_there",
    },
    "test_determinism.py": {
        "test_another_seed_gives_other_music",
        "test_separate_processes_with_other_hash_seeds_agree",
        "test_sketch_json_regenerates_every_file",
        "test_the_same_seed_gives_identical_bytes_in_another_folder",
    },
    "test_transform.py": {
        "test_a_motif_head_is_cut_on_its_beat_and_fills_whole_bars_when_repeated",
        "test_concatenate_and_repeat_add_lengths",
    },
    "test_embellish.py": {
        "test_chords_and_chromatic_notes_keep_their_onsets",
        "test_embellishment_keeps_the_skeleton_length_and_one_voice",
        "test_figures_stay_in_the_right_hands_register",
        "test_more_density_never_removes_an_onset",
    },
    "test_engrave.py": {
        "test_a_score_engraves_as_a_pdf",
        "test_an_existing_pdf_is_kept_unless_forced",
    },
    "test_from_sketch.py": {
        "test_a_sketch_regenerates_byte_for_byte",
        "test_hostile_records_are_refused",
    },
    "test_fuzz_loaders.py": {
        "test_corpus_file_through_the_cli",
        "test_fuzzed_midi_structure",
        "test_fuzzed_midi_through_the_cli",
        "test_fuzzed_motif_text",
        "test_fuzzed_musicxml_values",
        "test_fuzzed_mxl",
        "test_fuzzed_tinynotation",
        "test_long_musicxml_reads_only_its_first_measures",
        "test_midi_with_too_many_notes_is_refused_quickly",
        "test_mutated_midi",
        "test_mutated_musicxml",
        "test_random_bytes_as_a_text_motif",
        "test_random_bytes_as_midi",
        "test_random_bytes_as_musicxml",
    },
    "test_harden_book.py": {
        "test_a_book_of_1000_sketches_builds_in_well_under_a_minute_in_modest_memory_and_rebuilds_at_once",
        "test_a_large_books_pages_hand_the_browser_only_scores_the_bounded_readers_pass",
        "test_a_pages_folder_planted_as_a_link_is_refused_and_nothing_written_through_it",
        "test_a_crashing_engraver_child_is_named_and_replaced",
        "test_a_large_book_gets_a_contents_page_and_a_page_per_sketch",
        "test_a_score_that_spoils_the_engraver_loses_only_itself",
        "test_files_listed_outside_the_folder_are_never_read_or_linked",
        "test_html_in_a_record_is_escaped_everywhere",
        "test_links_planted_in_the_folder_that_lead_outside_are_ignored",
        "test_records_that_cannot_be_used_are_named_and_the_files_still_shown",
        "test_the_page_is_written_through_an_exclusive_temp_file",
    },
    "test_harden_from_presets.py": {
        "test_bars_past_the_cap_from_a_record_is_refused_quickly_in_a_real_process",
        "test_presets_and_records_must_be_regular_files_and_never_block",
        "test_spoiled_records_are_refused_field_by_field",
    },
    "test_harden_inspect_render.py": {
        "test_inspect_answers_2000_tempo_changes_quickly",
        "test_inspect_of_a_real_piece_stays_in_modest_memory",
        "test_inspect_refuses_a_fifo_without_blocking",
        "test_inspect_refuses_an_mxl_that_inflates_to_gigabytes",
        "test_inspect_refuses_hostile_midi_in_one_line_with_bounded_memory",
        "test_inspect_refuses_hostile_musicxml_in_one_line",
        "test_render_and_play_refuse_a_fifo_and_an_oversized_midi_in_one_line",
        "test_render_never_overwrites_without_force",
        "test_render_refuses_a_midi_longer_than_its_limit_before_writing",
        "test_render_temp_files_are_exclusive_so_a_planted_symlink_is_never_followed",
    },
    "test_harden_properties.py": {
        "test_any_record_becomes_a_page_with_nothing_unescaped",
        "test_inspect_midi_answers_with_sound_facts_or_one_line",
    },
    "test_harden_signals.py": {
        "test_a_signal_during_a_write_leaves_nothing_and_exits_conventionally",
        "test_a_signal_during_book_stops_its_engravers_and_leaves_no_part_files",
        "test_a_signal_during_render_removes_its_temp_files",
        "test_a_signal_to_a_batch_stops_every_worker_and_removes_their_part_files",
        "test_a_signal_while_a_large_book_writes_its_pages_leaves_no_part_files",
    },
    "test_hear.py": {
        "test_a_four_track_chorale_yields_its_soprano",
        "test_any_played_notes_give_a_valid_line",
        "test_generated_tunes_played_by_a_human_come_back",
        "test_generated_tunes_played_by_a_human_come_back_nine_in_ten",
        "test_hints_override_what_is_heard",
        "test_the_kept_takes_come_back_as_their_tunes",
    },
    "test_imports.py": {
        "test_the_probe_sees_a_heavy_import",
    },
    "test_install.py": {
        "test_the_wheel_carries_every_motif_and_preset",
    },
    "test_levers.py": {
        "test_density_and_ornament_levers_are_monotonic",
        "test_levers_are_monotonic_on_generated_tunes",
        "test_morph_ends_match_beach_and_photograph",
    },
    "test_metre.py": {
        "test_remetering_keeps_the_pitches_in_order_and_the_downbeats",
    },
    "test_play.py": {
        "test_fluidsynth_file_driver_plays_the_whole_piece",
        "test_real_time_sending_keeps_time",
    },
    "test_texture.py": {
        "test_explain_names_the_re_barring_and_the_textures",
        "test_generated_motifs_keep_every_texture_figure",
        "test_tempos_come_from_the_seed",
        "test_the_beach_metre_is_a_lever",
        "test_the_development_dissolves_into_the_return_with_a_written_ritardando",
        "test_the_left_hand_counts_from_the_bar_line",
        "test_the_melody_rarely_grates_a_semitone_over_the_left_hand",
        "test_the_photograph_flurries_and_builds_to_a_climax",
    },
    "test_theory.py": {
        "test_estimate_key_is_blind_to_transposition",
    },
    "test_user_errors.py": {
        "test_a_preset_with_a_wrong_or_missing_field_names_the_file_and_field",
        "test_render_keeps_an_existing_file_unless_forced",
    },
}
# Parametrised over every motif, take or file: the first case stays quick, the others are slow.
SAMPLED = {
    "formats/test_readable_scores.py": {
        "test_left_hand_clef_follows_its_register",
        "test_scores_are_valid_against_xsd_and_dtd",
        "test_second_voice_rests_are_hidden_and_tempo_counts_the_beat",
        "test_slurs_phrase_the_melody",
        "test_the_closing_bar_never_stands_alone_on_a_line",
    },
    "test_cli_input.py": {
        "test_show_round_trips_every_bundled_motif",
    },
    "test_contract.py": {
        "test_beach_is_slow_and_sparse",
        "test_beach_is_soft_pedalled_and_human",
        "test_beach_rubs",
        "test_beach_states_the_motif_at_two_pitch_levels",
        "test_midi_plays_what_the_score_shows",
        "test_photograph_builds_then_returns_to_the_beach",
        "test_photograph_is_accented",
        "test_photograph_is_faster_and_denser",
        "test_photograph_states_the_motif_twice",
    },
    "test_streams.py": {
        "test_the_ornament_lever_moves_ornaments_and_nothing_else",
    },
    "test_hear.py": {
        "test_real_tunes_come_back_exactly_in_their_metre",
    },
    "test_levers.py": {
        "test_tempo_lever_sets_the_metronome_and_the_midi",
    },
    "test_texture.py": {
        "test_beach_phrases_are_four_or_eight_bars_closing_on_half_and_full_cadences",
        "test_each_piece_lands_on_the_tonic",
        "test_no_hand_strikes_wider_than_a_tenth",
        "test_statement_and_development_are_led_by_different_figures",
        "test_the_beach_is_a_waltz_of_sixteen_to_forty_eight_bars",
    },
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: not in the quick subset (-m 'not slow'); listed in tests/conftest.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seen: set[tuple[str, str]] = set()
    for item in items:
        path, _, rest = item.nodeid.partition("::")
        module, name = path.removeprefix("tests/"), rest.partition("[")[0]
        if (module in SLOW_MODULES or name in SLOW.get(module, ())
                or (name in SAMPLED.get(module, ()) and (module, name) in seen)):
            item.add_marker(pytest.mark.slow)
        seen.add((module, name))


@pytest.fixture(scope="session")
def tide_sketch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default motif developed once for the whole run: a sketch folder tests read but never change."""
    from sketchbook.cli import app

    out = tmp_path_factory.mktemp("tide")
    result = CliRunner().invoke(app, ["develop", "tide", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.stderr
    return out / "tide"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def rng() -> random.Random:
    return random.Random(1234)


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich colours and wide tables vary with the terminal; tests read plain text.
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
