//! README's recipes from examples/chat are that file's text: each TOML block of the recipe
//! section that names a `[auth.*]`, `[cors.*]` or `[[route]]` of the example appears in
//! examples/chat/routes.toml exactly as written.

use fanout_router_stack::paths::repo_root;

#[test]
fn the_chat_recipes_are_verbatim_excerpts_of_the_example() {
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let example = std::fs::read_to_string(root.join("examples/chat/routes.toml")).unwrap();
    let section = readme
        .split("### A chat service: examples/chat")
        .nth(1)
        .and_then(|rest| rest.split("### Smaller recipes").next())
        .expect("README has the chat recipes");
    let blocks: Vec<&str> = section
        .split("```toml\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .map(|block| {
            let excerpt = block.strip_prefix("# examples/chat/routes.toml (excerpt)\n");
            excerpt.expect("each chat recipe names its file")
        })
        .collect();
    assert!(blocks.len() >= 4, "the chat recipes have their TOML blocks");
    for block in blocks {
        assert!(
            example.contains(block),
            "README's recipe is not in examples/chat/routes.toml as written:\n{block}"
        );
    }
}
