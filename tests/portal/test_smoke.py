def test_commune_home_answers(client_a, tenant_a):
    response = client_a.get("/")
    assert response.status_code == 200
    assert "Commune A" in response.content.decode()
