from tests.conftest import login


def test_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_staff_sees_dashboard(client, make):
    park = make.park(name_en="Chengdu OPC Hub")
    staff = make.user("staff", parks=[park])
    assert login(client, staff.email).status_code == 302
    response = client.get(f"/parks/{park.id}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Chengdu OPC Hub" in response.get_data(as_text=True)
