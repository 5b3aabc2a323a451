def export():
    return {"status": "exported"}


def archive():
    return {"status": "archived"}
