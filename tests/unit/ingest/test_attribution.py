from assistant.ingest.attribution import find_speakers, question_speaker, same_person


def test_attribution_shapes():
    assert find_speakers('"We will go," Kim Tae-hyo said.') == ["Kim Tae-hyo"]
    assert find_speakers("“It is unwise,” said Song Zhongping, a military expert.") == ["Song Zhongping"]
    assert find_speakers("According to Shin Kak-soo, “the system works.”") == ["Shin Kak-soo"]
    assert "Da Zhigang" in find_speakers("Da Zhigang, director of the institute, told the Global Times that it works.")
    assert find_speakers("The meeting was held in Seoul on Monday.") == []


def test_question_speaker():
    assert question_speaker("What did Shin Kak-soo say about Quad+?") == "Shin Kak-soo"
    assert question_speaker("What was Zheng Yongnian's view on NATO?") == "Zheng Yongnian"
    assert question_speaker("Where was the meeting held?") == ""


def test_same_person_variants():
    assert same_person("Hwang Ji-hwan", "Ji-hwan Hwang")
    assert same_person("Song", "Song Zhongping")
    assert not same_person("Kim Yo Jong", "Kim Tae-hyo")


def test_different_people_who_share_two_name_parts_stay_apart():
    assert not same_person("Kim Yo Jong", "Kim Jong Un")
    assert not same_person("Kim Jong Un", "Kim Yo Jong")


def test_titles_and_surnames_match_the_full_name():
    assert same_person("Lloyd Austin", "Austin")
    assert same_person("Defense Secretary Austin", "Lloyd Austin")
    assert same_person("Lloyd J. Austin", "Lloyd Austin")
    assert same_person("Shin", "Shin Kak-soo")
    assert not same_person("Defense Secretary Austin", "Defense Secretary Mark Esper")
