//! What files that could not be read do to the answers: they must never raise one.
//!
//! Detections only add evidence, so for most items an unread CI file can only hide a better
//! answer, and the answer from what was read stands. B3, D1 and D3 ask about *every* path
//! (each pushed image, each deployment, each release): an unread pipeline may hold a path
//! that nothing covers, so their `yes` is held back to `partial`. Every answer names the
//! unread files, since any of them could change it.

use super::{Answer, Item, ItemAnswer, listed};

pub fn hold_back(items: &mut [ItemAnswer], unread: &[String]) {
    if unread.is_empty() {
        return;
    }
    let list = listed(unread);
    for item in items {
        let every_path = matches!(item.item, Item::B3 | Item::D1 | Item::D3);
        if every_path && item.answer == Answer::Yes {
            item.answer = Answer::Partial;
            item.rationale = format!(
                "{}; held back from yes: CI configuration that could not be read ({list}) may \
                 hold a path this does not cover (see the diagnostics)",
                item.rationale
            );
        } else {
            item.rationale = format!(
                "{} (CI configuration that could not be read may change this: {list})",
                item.rationale
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::Evidence;
    use crate::model::Location;

    fn answer(item: Item, answer: Answer) -> ItemAnswer {
        let evidence = vec![Evidence::at(Location::new("ci.yml", 1, 1), "x")];
        ItemAnswer::supported(item, answer, "because", evidence)
    }

    #[test]
    fn only_every_path_items_are_held_back() {
        let mut items = vec![answer(Item::B1, Answer::Yes), answer(Item::D1, Answer::Yes)];
        hold_back(&mut items, &[".github/workflows/big.yml".to_string()]);
        assert_eq!(items[0].answer, Answer::Yes);
        assert_eq!(items[1].answer, Answer::Partial);
        assert!(items[0].rationale.contains("big.yml"));
        assert!(items[1].rationale.contains("held back"));
    }

    #[test]
    fn nothing_unread_changes_nothing() {
        let mut items = vec![answer(Item::D3, Answer::Yes)];
        hold_back(&mut items, &[]);
        assert_eq!((items[0].answer, items[0].rationale.as_str()), (Answer::Yes, "because"));
    }
}
